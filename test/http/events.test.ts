// GET /api/v1/events over real HTTP: ids on every event, replay after a disconnect from
// Last-Event-ID, a snapshot when the gap is too old or the server restarted, the stream limit, and
// streams of a revoked key ending at once.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { REPLAY_CAPACITY } from '../../src/http/event-hub.js'
import { auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { addKeyFromAnotherProcess, revokeKeyFromAnotherProcess } from './security/helpers.js'
import { openStream } from './sse-client.js'

async function listening(t: TestContext, options: Parameters<typeof buildTestApp>[1] = {}) {
  const built = await buildTestApp(t, { probes: idleProbes, ...options })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...built, port: (built.app.server.address() as { port: number }).port }
}

const submit = async (app: Awaited<ReturnType<typeof buildTestApp>>['app'], n: number) => {
  const answer = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `https://www.tiktok.com/@a/video/73000000000000${String(n).padStart(5, '0')}` } })
  assert.equal(answer.statusCode, 201, answer.body)
  return answer.json().download_id as string
}

test('every event has an id; after a disconnect Last-Event-ID replays exactly what was missed', async (t) => {
  const { app, port, events } = await listening(t)
  const first = await openStream(t, port, auth)
  assert.equal(first.statusCode, 200)
  const a = await submit(app, 1)
  events.emit('progress', { id: a, progress: { percent: 10, downloaded_bytes: 1, total_bytes: 10, speed_bps: null, eta_seconds: null } })
  const seen = await first.received(2)
  assert.ok(seen.every((e) => e.id && /^[A-Za-z0-9_-]+-\d+$/.test(e.id)), JSON.stringify(seen))
  assert.deepEqual(seen.map((e) => [e.event, e.data.download_id]), [['status', a], ['progress', a]])
  first.close()
  await first.ended

  // Missed while away: a new download, progress of the first one, then the first one deleted.
  const b = await submit(app, 2)
  events.emit('progress', { id: a, progress: { percent: 50, downloaded_bytes: 5, total_bytes: 10, speed_bps: null, eta_seconds: null } })
  events.emit('progress', { id: b, progress: { percent: 20, downloaded_bytes: 2, total_bytes: 10, speed_bps: null, eta_seconds: null } })
  await app.inject({ method: 'POST', url: `/api/v1/downloads/${a}/cancel`, headers: auth })
  const again = await openStream(t, port, { ...auth, 'last-event-id': seen[1]!.id! })
  const replayed = await again.received(3)
  // b's status, b's progress, a's current state (cancelled); a's older progress is dropped.
  assert.deepEqual(replayed.map((e) => [e.event, e.data.download_id, e.data.status ?? e.data.progress?.percent]), [
    ['status', b, 'pending'],
    ['progress', b, 20],
    ['status', a, 'cancelled'],
  ])
  // Then live events continue, numbered after the replayed ones.
  await submit(app, 3)
  const live = await again.received(4)
  const seq = (id: string | undefined) => Number(id!.split('-').at(-1))
  assert.ok(seq(live[3]!.id) > seq(live[2]!.id))
  assert.equal(again.events.some((e) => e.event === 'snapshot'), false)
})

test('a new connection resumes from ?last_event_id= (a page cannot set headers); the Last-Event-ID header wins over it', async (t) => {
  const { app, port } = await listening(t)
  const first = await openStream(t, port, auth)
  await submit(app, 1)
  const [seen] = await first.received(1)
  first.close()
  await first.ended
  const missed = await submit(app, 2)
  const query = `/api/v1/events?last_event_id=${encodeURIComponent(seen!.id!)}`
  const resumed = await openStream(t, port, auth, query)
  assert.deepEqual((await resumed.received(1)).map((e) => [e.event, e.data.download_id]), [['status', missed]])

  // The browser's own reconnect of that EventSource keeps the URL and sends a newer id as the header.
  const newest = resumed.events[0]!.id!
  const both = await openStream(t, port, { ...auth, 'last-event-id': newest }, query)
  const third = await submit(app, 3)
  assert.deepEqual((await both.received(1)).map((e) => [e.event, e.data.download_id]), [['status', third]], 'nothing replayed twice')
  assert.equal((await app.inject({ url: `/api/v1/events?last_event_id=${'x'.repeat(65)}`, headers: auth })).statusCode, 422)
})

test('a gap older than the buffer, an unknown id, or an id from before a restart gets a snapshot', async (t) => {
  const { app, port, events, dir } = await listening(t)
  const kept = await submit(app, 1)
  const stream = await openStream(t, port, auth)
  const b = await submit(app, 2)
  const [status] = await stream.received(1)
  stream.close()
  await stream.ended
  for (let i = 0; i <= REPLAY_CAPACITY; i++) {
    events.emit('progress', { id: b, progress: { percent: i % 100, downloaded_bytes: i, total_bytes: null, speed_bps: null, eta_seconds: null } })
  }
  const late = await openStream(t, port, { ...auth, 'last-event-id': status!.id! })
  const [snapshot] = await late.received(1)
  assert.equal(snapshot!.event, 'snapshot')
  assert.deepEqual(snapshot!.data.downloads!.map((d) => d.download_id).sort(), [kept, b].sort())
  assert.ok(snapshot!.id, 'the snapshot has an id to resume from')

  const unknown = await openStream(t, port, { ...auth, 'last-event-id': 'garbage' })
  assert.equal((await unknown.received(1))[0]!.event, 'snapshot')

  // A restart: a new app on the same folder cannot replay the old server's events.
  await app.close()
  const restarted = await listening(t, { dir })
  const resumed = await openStream(t, restarted.port, { ...auth, 'last-event-id': snapshot!.id! })
  const [afterRestart] = await resumed.received(1)
  assert.equal(afterRestart!.event, 'snapshot')
  assert.deepEqual(afterRestart!.data.downloads!.map((d) => d.status), ['pending', 'pending'])
})

test('at most security.max_event_streams streams; the next one is 503 too_many_event_streams', async (t) => {
  const { port } = await listening(t, { config: { security: { max_event_streams: 2 } } })
  const one = await openStream(t, port, auth)
  const two = await openStream(t, port, auth)
  assert.deepEqual([one.statusCode, two.statusCode], [200, 200])
  const three = await openStream(t, port, auth)
  assert.equal(three.statusCode, 503)
  assert.equal(three.headers['retry-after'], '30')
  one.close()
  await one.ended
  await new Promise((resolve) => setTimeout(resolve, 100))
  const four = await openStream(t, port, auth)
  assert.equal(four.statusCode, 200, 'a closed stream frees its place')
})

test("a revoked key's streams end at once; other streams stay open", async (t) => {
  const { port, config } = await listening(t)
  const phoneKey = addKeyFromAnotherProcess(config, 'phone', 'submit')
  const phone = await openStream(t, port, { 'x-api-key': phoneKey })
  const admin = await openStream(t, port, auth)
  assert.equal(phone.statusCode, 200)
  // Revoked by `vds keys revoke` in another process.
  assert.ok(revokeKeyFromAnotherProcess(config, 'phone'))
  const started = Date.now()
  await Promise.race([phone.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('stream still open')), 5000))])
  assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`)
  let adminEnded = false
  void admin.ended.then(() => (adminEnded = true))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  assert.equal(adminEnded, false)
})
