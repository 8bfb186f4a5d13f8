// @integration: a fake yt-dlp process and the worker
// Logins end to end on the real app and worker: cookies through the API (validated, stored 0600,
// never served back), the expiry warning in health, and a download that hits a login wall — a
// fake yt-dlp printing yt-dlp's real message — waiting without a retry counted, naming the site in
// health and the outbox, then finishing once cookies for that site arrive.
import assert from 'node:assert/strict'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { auth, buildTestApp, tempDir } from '../helpers/test-app.js'
import { waitFor } from '../jobs/helpers.js'

const day = 24 * 60 * 60
const cookieLine = (domain: string, name: string, value: string, expiresInSeconds: number) =>
  `${domain}\tTRUE\t/\tTRUE\t${Math.floor(Date.now() / 1000) + expiresInSeconds}\t${name}\t${value}`
const COOKIES = ['# Netscape HTTP Cookie File', cookieLine('.instagram.com', 'sessionid', 'SECRET-SESSION-VALUE', 300 * day), cookieLine('.instagram.com', 'csrftoken', 'tok', 200 * day), cookieLine('.example.org', 'other', 'x', 10 * day)].join('\n')

// yt-dlp 2026.10.26's text for an Instagram post behind the login wall (extractor/instagram.py).
const LOGIN_WALL = 'ERROR: [Instagram] C1abc: Requested content is not available, rate-limit reached or login required. Use --cookies, --cookies-from-browser, --username and --password, --netrc-cmd, or --netrc (instagram) to provide account credentials. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies'

/** A yt-dlp stand-in: the login wall without a sessionid cookie, a finished file with one. */
function fakeYtDlp(dir: string): string {
  const file = path.join(dir, 'fake-yt-dlp')
  writeFileSync(file, `#!/usr/bin/env python3
import sys, os, json
args = sys.argv[1:]
if '--version' in args:
    print('2026.11.02'); sys.exit(0)
cookies = args[args.index('--cookies') + 1] if '--cookies' in args else None
with open(os.path.join(${JSON.stringify(dir)}, 'calls.log'), 'a') as log:
    log.write(('cookies' if cookies else 'none') + '\\n')
if not cookies or 'sessionid' not in open(cookies).read():
    sys.stderr.write(${JSON.stringify(LOGIN_WALL + '\n')})
    sys.exit(1)
home = [a[5:] for a in args if a.startswith('home:')][0]
out = os.path.join(home, 'clip.mp4')
open(out, 'wb').write(b'\\0' * 1000)
print('[vds-result] ' + json.dumps({'filepath': out, 'title': 'Clip', 'uploader': 'u', 'duration': 1, 'thumbnail': None, 'extractor': 'Instagram', 'id': 'C1abc'}))
`)
  chmodSync(file, 0o755)
  return file
}

test('cookies: validated (422 invalid_cookies), stored 0600 for the site only, never served back, removable', async (t) => {
  const { app, paths } = await buildTestApp(t)
  const put = (site: string, body: string, type = 'text/plain') =>
    app.inject({ method: 'PUT', url: `/api/v1/cookies/${site}`, headers: { ...auth, 'content-type': type }, payload: body })

  for (const bad of ['{"cookies": []}', 'just some text', `.instagram.com\tTRUE\t/\tTRUE\tsoon\tsessionid\tv`, cookieLine('.example.org', 'a', 'b', day)]) {
    const res = await put('instagram.com', bad)
    assert.equal(res.statusCode, 422, bad)
    assert.equal(res.json().error.code, 'invalid_cookies')
  }
  assert.equal((await put('not a site', COOKIES)).json().error.code, 'invalid_site')
  assert.equal((await put('instagram.com', COOKIES, 'application/x-www-form-urlencoded')).statusCode, 415)
  const noKey = await app.inject({ method: 'PUT', url: '/api/v1/cookies/instagram.com', headers: { 'content-type': 'text/plain' }, payload: COOKIES })
  assert.equal(noKey.statusCode, 401)

  const stored = await put('www.Instagram.com', COOKIES)
  assert.equal(stored.statusCode, 200, stored.body)
  const body = stored.json()
  assert.equal(body.site, 'instagram.com')
  assert.equal(body.cookies, 2)
  assert.equal(body.skipped, 1)
  assert.equal(body.resumed, 0)
  assert.ok(Math.abs(Date.parse(body.earliest_expiry) - (Date.now() + 200 * day * 1000)) < 5_000, 'the earliest expiry')
  const file = path.join(paths.dataDir, 'cookies', 'instagram.com.txt')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700)
  assert.match(readFileSync(file, 'utf8'), /sessionid\tSECRET-SESSION-VALUE/)
  assert.doesNotMatch(readFileSync(file, 'utf8'), /example\.org/)

  const list = await app.inject({ url: '/api/v1/cookies', headers: auth })
  assert.deepEqual(list.json().sites.map((s: { site: string; cookies: number }) => [s.site, s.cookies]), [['instagram.com', 2]])
  const one = await app.inject({ url: '/api/v1/cookies/instagram.com', headers: auth })
  assert.equal(one.json().cookies, 2)
  for (const res of [stored, list, one]) assert.doesNotMatch(res.body, /SECRET-SESSION-VALUE|sessionid/)
  assert.equal((await app.inject({ url: '/api/v1/cookies/tiktok.com', headers: auth })).statusCode, 404)

  const removed = await app.inject({ method: 'DELETE', url: '/api/v1/cookies/instagram.com', headers: auth })
  assert.deepEqual(removed.json(), { success: true, site: 'instagram.com' })
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/cookies/instagram.com', headers: auth })).statusCode, 404)
})

test('health warns from 3 days before the earliest cookie expiry', async (t) => {
  const { app } = await buildTestApp(t, { startWorker: true })
  const soon = ['# Netscape HTTP Cookie File', cookieLine('.tiktok.com', 'sid_tt', 'v', 2 * day)].join('\n')
  await app.inject({ method: 'PUT', url: '/api/v1/cookies/tiktok.com', headers: { ...auth, 'content-type': 'text/plain' }, payload: ['# Netscape HTTP Cookie File', cookieLine('.tiktok.com', 'sid_tt', 'v', 200 * day)].join('\n') })
  let health = (await app.inject({ url: '/api/v1/health' })).json()
  assert.ok(!health.checks.some((c: { name: string }) => c.name === 'cookies'), 'no warning 200 days ahead')
  await app.inject({ method: 'PUT', url: '/api/v1/cookies/tiktok.com', headers: { ...auth, 'content-type': 'text/plain' }, payload: soon })
  health = (await app.inject({ url: '/api/v1/health' })).json()
  const warning = health.checks.find((c: { name: string }) => c.name === 'cookies')
  assert.ok(warning, JSON.stringify(health.checks))
  assert.match(warning.message, /tiktok\.com .*expire/)
  assert.equal(health.status, 'degraded')
  assert.doesNotMatch(JSON.stringify(health), /sid_tt/)
})

test('a login wall makes the job wait (no retry counted, health names the site, a notification), new cookies resume it', async (t) => {
  const dir = tempDir(t)
  const ytdlp = fakeYtDlp(dir)
  // Every log line at debug level, to show that no cookie value is ever written there.
  const lines: string[] = []
  const log = pino({ level: 'debug' }, new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done() } }))
  const { app, downloads, notifications } = await buildTestApp(t, { dir, log, startWorker: true, config: { ytdlp: { path: ytdlp } } })
  const submitted = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.instagram.com/p/C1abc/' } })
  const id: string = submitted.json().download_id
  const waiting = await waitFor('the login wait', () => {
    const row = downloads.findById(id)
    return row?.waiting_reason === 'login_required' && row
  })
  assert.equal(waiting.status, 'pending')
  assert.equal(waiting.retry_count, 0)
  assert.equal(waiting.error_code, 'login_required')
  const status = (await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
  assert.equal(status.waiting_reason, 'login_required')
  const health = (await app.inject({ url: '/api/v1/health' })).json()
  const login = health.checks.find((c: { name: string }) => c.name === 'login')
  assert.match(login?.message ?? '', /instagram\.com needs a login/)
  assert.equal(health.status, 'degraded')
  assert.deepEqual(notifications.pendingEvents().map((e) => [e.event, e.download_id]), [['login_required', id]])

  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(readFileSync(path.join(dir, 'calls.log'), 'utf8'), 'none\n', 'a waiting job is not tried again by itself')
  const put = await app.inject({ method: 'PUT', url: '/api/v1/cookies/instagram.com', headers: { ...auth, 'content-type': 'text/plain' }, payload: COOKIES })
  assert.equal(put.json().resumed, 1)
  const done = await waitFor('the download', () => downloads.findById(id)?.status === 'completed' && downloads.findById(id))
  assert.equal(done.waiting_reason, null)
  assert.equal(done.retry_count, 0)
  assert.equal(readFileSync(path.join(dir, 'calls.log'), 'utf8'), 'none\ncookies\n')
  const after = (await app.inject({ url: '/api/v1/health' })).json()
  assert.ok(!after.checks.some((c: { name: string }) => c.name === 'login'))
  const written = lines.join('')
  assert.match(written, /login/, 'the wait was logged')
  assert.match(written, /cookies/, 'the upload was logged')
  assert.doesNotMatch(written, /SECRET-SESSION-VALUE/)
})

test('`vds cookies import` from another process resumes waiting jobs: the cookies folder is watched', async (t) => {
  const dir = tempDir(t)
  const ytdlp = fakeYtDlp(dir)
  const services = await buildTestApp(t, { dir, startWorker: true, config: { ytdlp: { path: ytdlp } } })
  await services.logins.start()
  const submitted = await services.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://instagram.com/reel/C1abc/' } })
  const id: string = submitted.json().download_id
  await waitFor('the login wait', () => services.downloads.findById(id)?.waiting_reason === 'login_required')
  // What `vds cookies import` does: the store, from outside the server's request path.
  const { createCookieStore } = await import('../../src/logins/cookie-store.js')
  createCookieStore(services.paths.dataDir).put('instagram.com', COOKIES)
  await waitFor('the download', () => services.downloads.findById(id)?.status === 'completed')
})
