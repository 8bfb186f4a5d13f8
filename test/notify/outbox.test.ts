// Notifications end to end in one process: a job's final state written through the jobs repository
// puts the event in the outbox (same commit); the dispatcher sends it to loopback receivers for a
// webhook, ntfy and a Web Push endpoint, signs it, retries it with the same delivery id, and stops
// sending to targets that are gone.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { retryDelaySeconds } from '../../src/notify/dispatcher.js'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { fetchTrusting, makeLoopbackCertificate, startReceiver, type Receiver } from './receivers.js'
import { decryptPushMessage, makeBrowserSubscription, verifyVapid } from './web-push-verify.js'

const RESULT = {
  filename: 'clip.mp4', file_path: 'tiktok.com/anna/clip [1].mp4', file_size: 1234, title: 'Cat jumps ✨', uploader: 'anna',
  duration_seconds: 3, thumbnail_url: null, extractor: 'TikTok', video_id: '1',
}

async function receivers(t: TestContext) {
  const certificate = makeLoopbackCertificate()
  const list = [await startReceiver(), await startReceiver(), await startReceiver(), await startReceiver(certificate)] as const
  t.after(() => Promise.all(list.map((r) => r.close())))
  return { hook: list[0], plainHook: list[1], ntfy: list[2], push: list[3], fetch: fetchTrusting(certificate.cert) }
}

async function setUp(t: TestContext, extra: { retry?: number[] } = {}) {
  const r = await receivers(t)
  const app = await buildTestApp(t, {
    config: {
      server: { public_url: 'https://vds.example:8443' },
      notifications: {
        retry_delays_seconds: extra.retry ?? [0.2, 0.3],
        webhooks: [
          { url: `${r.hook.url}/hook`, secret: 'hook-secret' },
          { url: `${r.plainHook.url}/only-failures`, secret: null, events: ['failed'] },
        ],
        ntfy: { url: `${r.ntfy.url}/vds-topic`, token: 'tk_ntfy', events: ['completed', 'login_required'] },
      },
    },
    notifier: { fetch: r.fetch, sweepMs: 200 },
  })
  const jobs = createJobsRepository(app.db)
  const submit = async () => {
    const res = await app.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `https://www.tiktok.com/@anna/video/${Math.random().toString().slice(2)}` } })
    assert.equal(res.statusCode, 201, res.body)
    return (res.json() as { download_id: string }).download_id
  }
  /** claims the job and writes its final state the way an attempt does */
  const finish = async (id: string, outcome: 'completed' | 'failed') => {
    const now = new Date().toISOString()
    assert.equal((await jobs.claimNext(now))?.id, id)
    const row = outcome === 'completed' ? await jobs.complete(id, RESULT, now) : await jobs.fail(id, { code: 'private', message: 'This video is private.' }, now)
    assert.ok(row)
    app.events.emit('status', { id, status: row.status })
  }
  return { ...r, ...app, submit, finish }
}

const json = (receiver: Receiver, index: number) => JSON.parse(receiver.requests[index]!.body.toString()) as { event: string; download: { download_id: string; title: string; file_url: string }; sent_at: string }

test('completed: signed webhook, ntfy with title, click and token, encrypted Web Push with a valid VAPID JWT', { timeout: 30_000 }, async (t) => {
  const s = await setUp(t)
  const browser = makeBrowserSubscription()
  const endpoint = `${s.push.url}/push/abc123`
  const subscribed = await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint, expirationTime: null, keys: { p256dh: browser.p256dh, auth: browser.auth } } })
  assert.equal(subscribed.statusCode, 201, subscribed.body)
  const publicKey = (await s.app.inject({ url: '/api/v1/push/public-key', headers: auth })).json() as { public_key: string }
  s.notifier.start()

  const id = await s.submit()
  await s.finish(id, 'completed')
  const [hook] = await s.hook.waitFor(1)
  const [ntfy] = await s.ntfy.waitFor(1)
  const [push] = await s.push.waitFor(1)

  // Webhook: body, headers, signature over the exact bytes.
  const body = json(s.hook, 0)
  assert.equal(body.event, 'completed')
  assert.equal(body.download.download_id, id)
  assert.equal(body.download.title, RESULT.title)
  assert.match(body.sent_at, /Z$/)
  assert.equal(hook!.headers['x-vds-event'], 'completed')
  assert.match(String(hook!.headers['x-vds-delivery']), /^[0-9a-f-]{36}$/)
  assert.equal(hook!.headers['content-type'], 'application/json')
  assert.equal(hook!.headers['x-vds-signature'], `sha256=${createHmac('sha256', 'hook-secret').update(hook!.body).digest('hex')}`)

  // ntfy: the topic URL, Title (RFC 2047 for non-ASCII), an absolute Click link, Tags, Bearer token; the body names the post.
  assert.equal(ntfy!.path, '/vds-topic')
  assert.equal(ntfy!.headers.title, `=?UTF-8?B?${Buffer.from(`Downloaded: ${RESULT.title}`).toString('base64')}?=`)
  assert.equal(ntfy!.headers.click, body.download.file_url)
  assert.match(String(ntfy!.headers.click), /^https:\/\/vds\.example:8443\//)
  assert.equal(ntfy!.headers.tags, 'white_check_mark,completed')
  assert.equal(ntfy!.headers.authorization, 'Bearer tk_ntfy')
  assert.match(ntfy!.body.toString(), /Cat jumps ✨ \(anna\)/)

  // Web Push: VAPID JWT for the endpoint's origin, payload decrypted with the browser's keys.
  assert.equal(push!.path, '/push/abc123')
  assert.equal(push!.headers['content-encoding'], 'aes128gcm')
  const claims = verifyVapid(push!.headers.authorization, publicKey.public_key)
  assert.equal(claims.aud, s.push.url)
  assert.ok(claims.exp * 1000 > Date.now() && claims.exp * 1000 <= Date.now() + 24 * 3600_000 + 60_000)
  assert.equal(claims.sub, 'https://vds.example:8443')
  const message = JSON.parse(decryptPushMessage(push!.body, browser)) as { event: string; download_id: string; title: string; url: string }
  assert.deepEqual({ event: message.event, download_id: message.download_id, title: message.title, url: message.url },
    { event: 'completed', download_id: id, title: `Downloaded: ${RESULT.title}`, url: body.download.file_url })

  // The failures-only webhook got nothing; the outbox is empty.
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(s.plainHook.requests.length, 0)
  assert.equal(s.notifications.countDeliveries(), 0)
})

test('a refused delivery is retried with the same delivery id; webhooks without a secret use the server secret (0600)', { timeout: 30_000 }, async (t) => {
  const s = await setUp(t)
  let refusals = 2
  s.plainHook.respond = () => (refusals-- > 0 ? 503 : 204)
  s.notifier.start()
  const id = await s.submit()
  await s.finish(id, 'failed')
  const attempts = await s.plainHook.waitFor(3)
  const ids = new Set(attempts.map((a) => a.headers['x-vds-delivery']))
  assert.equal(ids.size, 1, 'one delivery id over all attempts')
  const gaps = [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at]
  assert.ok(gaps[0]! >= 180 && gaps[1]! >= 280, `retry delays follow the config: ${gaps.join(', ')} ms`)
  const secretFile = path.join(s.config.storage.data_dir, 'webhook-secret')
  assert.equal(statSync(secretFile).mode & 0o777, 0o600)
  const secret = readFileSync(secretFile, 'utf8').trim()
  for (const attempt of attempts) {
    assert.equal(attempt.headers['x-vds-signature'], `sha256=${createHmac('sha256', secret).update(attempt.body).digest('hex')}`, 'each attempt signed as sent')
    assert.equal(attempt.headers['x-vds-event'], 'failed')
  }
  assert.match(JSON.parse(attempts[0]!.body.toString()).download.error_message, /private/)
  // The completed-only ntfy and the webhook for every event: ntfy skipped it, the main hook got it once.
  await s.hook.waitFor(1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(s.hook.requests.length, 1)
  assert.equal(s.ntfy.requests.length, 0)
  assert.equal(s.notifications.countDeliveries(), 0)
})

test('login_required goes out when a job starts waiting for a login; a push endpoint answering 410 is forgotten', { timeout: 30_000 }, async (t) => {
  const s = await setUp(t)
  const browser = makeBrowserSubscription()
  const endpoint = `${s.push.url}/push/gone`
  s.push.respond = () => 410
  await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint, keys: { p256dh: browser.p256dh, auth: browser.auth } } })
  s.notifier.start()
  const id = await s.submit()
  // What the tools room does when a site wants cookies: the job waits with this reason.
  s.db.prepare(`UPDATE downloads SET waiting_reason = 'login_required', updated_at = ? WHERE id = ?`).run(new Date().toISOString(), id)
  s.events.emit('status', { id, status: 'pending' })
  const [ntfy] = await s.ntfy.waitFor(1)
  assert.equal(ntfy!.headers.title, 'Login needed: tiktok.com')
  assert.equal(ntfy!.headers.tags, 'key,login_required')
  await s.hook.waitFor(1)
  assert.equal(json(s.hook, 0).event, 'login_required')
  await s.push.waitFor(1)
  for (let i = 0; i < 50 && s.notifications.listSubscriptions().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.deepEqual(s.notifications.listSubscriptions(), [])
  assert.equal(s.push.requests.length, 1, 'not retried')
})

test('push subscription routes validate the subscription and need a key', async (t) => {
  const s = await buildTestApp(t)
  const browser = makeBrowserSubscription()
  const good = { endpoint: 'https://push.example/send/1', keys: { p256dh: browser.p256dh, auth: browser.auth } }
  assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', payload: good })).statusCode, 401)
  assert.equal((await s.app.inject({ url: '/api/v1/push/public-key' })).statusCode, 401)
  for (const bad of [
    { ...good, endpoint: 'http://push.example/x' },
    { ...good, endpoint: 'not a url' },
    { ...good, keys: { p256dh: 'AAAA', auth: browser.auth } },
    { ...good, keys: { p256dh: browser.p256dh, auth: 'AAAA' } },
    { endpoint: good.endpoint },
  ]) {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: bad })
    assert.equal(res.statusCode, 422, `${JSON.stringify(bad)} → ${res.body}`)
  }
  assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: good })).statusCode, 201)
  const key = (await s.app.inject({ url: '/api/v1/push/public-key', headers: auth })).json() as { public_key: string }
  assert.equal(Buffer.from(key.public_key, 'base64url').length, 65)
  const again = (await s.app.inject({ url: '/api/v1/push/public-key', headers: auth })).json() as { public_key: string }
  assert.equal(again.public_key, key.public_key, 'made once')
  assert.equal(statSync(path.join(s.config.storage.data_dir, 'vapid-keys.json')).mode & 0o777, 0o600)
  const removed = await s.app.inject({ method: 'DELETE', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint: good.endpoint } })
  assert.deepEqual(removed.json(), { success: true, removed: true })
  assert.deepEqual(s.notifications.listSubscriptions(), [])
})

test('retry delays: the configured list, then its last entry', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => retryDelaySeconds(n, [10, 60, 300, 1800])), [10, 60, 300, 1800, 1800, 1800])
})
