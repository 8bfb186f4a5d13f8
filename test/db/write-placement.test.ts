// Where writes commit (issue 9): on the writer thread only. The app is built as the server builds it
// (createServices over a read-only main connection, the real writer thread, a real SQLite file), and
// every write path that used to commit on the main connection is exercised: keys made and revoked,
// a pairing made and claimed, a push subscription stored and removed, a notification expanded,
// retried and marked delivered. The main connection's total_changes() must not move, and a write on
// it fails (query_only). With the writer stopped, those routes answer 503 and store nothing.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { Db } from '../../src/db/open.js'
import { createStoredApiKey } from '../../src/keys/key-verifier.js'
import { startServer } from '../../src/main.js'
import { auth, buildTestApp, idleProbes, tempDir } from '../helpers/test-app.js'
import { startReceiver } from '../notify/receivers.js'

const changesOn = (db: Db) => db.prepare('SELECT total_changes()').pluck().get() as number

const P256DH = Buffer.alloc(65, 4).toString('base64url')
const AUTH_SECRET = Buffer.alloc(16, 7).toString('base64url')

test('keys, pairings, push subscriptions and the outbox commit on the writer thread, never on the main connection', { timeout: 30_000 }, async (t) => {
  const hook = await startReceiver()
  t.after(() => hook.close())
  const s = await buildTestApp(t, {
    writerThread: true,
    probes: idleProbes,
    config: { notifications: { retry_delays_seconds: [0.2], webhooks: [{ url: `${hook.url}/hook`, secret: 'hook-secret' }] } },
    notifier: { sweepMs: 200 },
  })
  const baseline = changesOn(s.db)
  const unchanged = (what: string) => assert.equal(changesOn(s.db), baseline, `${what}: nothing committed on the main connection`)
  const history = (key: string) => s.app.inject({ url: '/api/v1/history?limit=1', headers: { 'x-api-key': key } })

  // A key made on the server (as the first start and a pairing make them), then revoked.
  const phoneKey = await createStoredApiKey(s.apiKeys, 'phone', 'submit')
  assert.ok(phoneKey)
  assert.equal(s.apiKeys.findByName('phone')?.scope, 'submit', 'committed before the promise settled')
  unchanged('key created')
  assert.equal((await history(phoneKey)).statusCode, 200)
  assert.equal(await s.apiKeys.revoke('phone'), true)
  assert.equal(await s.apiKeys.revoke('phone'), false, 'already revoked')
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal((await history(phoneKey)).statusCode, 401)
  unchanged('key revoked')

  // Pair + claim over the routes.
  const made = await s.app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-anna' } })
  assert.equal(made.statusCode, 201, made.body)
  assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-anna' } })).statusCode, 409, 'an open pairing holds the name')
  const { code } = made.json() as { code: string }
  const claim = await s.app.inject({ method: 'POST', url: `/api/v1/pairings/${code}/claim` })
  assert.equal(claim.statusCode, 201, claim.body)
  assert.equal((await history((claim.json() as { key: string }).key)).statusCode, 200, 'the claimed key works at once')
  assert.equal((await s.app.inject({ method: 'POST', url: `/api/v1/pairings/${code}/claim` })).statusCode, 410)
  unchanged('pairing made and claimed')

  // Push subscribe / unsubscribe: the 201 comes after the commit.
  const endpoint = `https://push.example/send/${'a'.repeat(20)}`
  const subscribed = await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint, keys: { p256dh: P256DH, auth: AUTH_SECRET } } })
  assert.equal(subscribed.statusCode, 201, subscribed.body)
  assert.equal(s.notifications.findSubscription(endpoint)?.p256dh, P256DH)
  const removed = await s.app.inject({ method: 'DELETE', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint } })
  assert.deepEqual(removed.json(), { success: true, removed: true })
  assert.equal(s.notifications.findSubscription(endpoint), undefined)
  unchanged('push subscription stored and removed')

  // A failed job queues an event (trigger, writer thread); the dispatcher expands it, the webhook
  // refuses once (rescheduled) and then accepts (deleted).
  let answers = 0
  hook.respond = () => (answers++ === 0 ? 500 : 200)
  s.notifier.start()
  const submitted = await s.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.tiktok.com/@anna/video/7' } })
  assert.equal(submitted.statusCode, 201, submitted.body)
  const id = (submitted.json() as { download_id: string }).download_id
  const now = new Date().toISOString()
  assert.equal((await s.jobs.claimNext(now))?.id, id)
  assert.ok(await s.jobs.fail(id, { code: 'private', message: 'This video is private.' }, now))
  s.events.emit('status', { id, status: 'failed' })
  const [first, second] = await hook.waitFor(2)
  assert.equal(first!.headers['x-vds-delivery'], second!.headers['x-vds-delivery'], 'the retry is the same delivery')
  const deadline = Date.now() + 5000
  while (s.notifications.countDeliveries() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(s.notifications.countDeliveries(), 0, 'delivered: the delivery is deleted')
  assert.equal(s.notifications.pendingEvents().length, 0, 'the event was expanded')
  unchanged('notification expanded, rescheduled and delivered')

  // Whatever is left behind on the main connection fails loudly.
  assert.throws(() => s.db.prepare('DELETE FROM pairings').run(), { code: 'SQLITE_READONLY' })
})

test('with the writer gone, key, pairing and push writes answer 503 and store nothing', { timeout: 30_000 }, async (t) => {
  const s = await buildTestApp(t, { writerThread: true, probes: idleProbes })
  const made = await s.app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'ipad' } })
  assert.equal(made.statusCode, 201, made.body)
  await s.writer.stop()
  const refused = [
    await s.app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone' } }),
    await s.app.inject({ method: 'POST', url: `/api/v1/pairings/${(made.json() as { code: string }).code}/claim` }),
    await s.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint: 'https://push.example/x', keys: { p256dh: P256DH, auth: AUTH_SECRET } } }),
    await s.app.inject({ method: 'DELETE', url: '/api/v1/push/subscriptions', headers: auth, payload: { endpoint: 'https://push.example/x' } }),
  ]
  for (const answer of refused) {
    assert.equal(answer.statusCode, 503, answer.body)
    assert.equal(answer.json().error.code, 'storage_unavailable')
    assert.equal(answer.headers['retry-after'], '5')
  }
  await assert.rejects(s.apiKeys.revoke('ipad'), { code: 'VDS_WRITER_UNAVAILABLE' })
  assert.equal(s.apiKeys.findByName('ipad'), undefined, 'the code was not claimed')
  assert.equal(s.notifications.listSubscriptions().length, 0)
})

test('startServer: the first key is stored through the writer thread while the main connection is read-only', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  const configFile = path.join(dir, 'config.json')
  writeFileSync(configFile, JSON.stringify({
    server: { host: '127.0.0.1', port: 0 },
    tls: { enabled: false },
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads'), min_free_disk_mb: 0 },
    // No downloader to ask for its version: nothing outside this process starts.
    ytdlp: { path: path.join(dir, 'no-such-yt-dlp') },
    gallery_dl: { path: path.join(dir, 'no-such-gallery-dl') },
    tools: { managed: false },
    security: { require_api_key: true, api_keys: [] },
    logging: { level: 'silent', file: null },
  }))
  let announced = ''
  const server = await startServer({ configFile, env: {}, announce: (text) => (announced += text) })
  t.after(() => server.close())
  const key = /vds_\S+/.exec(announced)?.[0]
  assert.ok(key, announced)
  const headers = { 'x-api-key': key, 'content-type': 'application/json' }
  assert.equal((await fetch(`${server.url}/api/v1/history?limit=1`, { headers })).status, 200)
  const made = await fetch(`${server.url}/api/v1/pairings`, { method: 'POST', headers, body: JSON.stringify({ name: 'iphone' }) })
  assert.equal(made.status, 201, await made.text())
})
