// @integration: real yt-dlp and the worker against the loopback media server
// The engine's routes end to end: real worker, real yt-dlp, a loopback media server.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { openStream } from './sse-client.js'

type TestApp = Awaited<ReturnType<typeof buildTestApp>>

// No tags written (downloads.embed_metadata): the served file is the fixture's, byte for byte.
const engineConfig = {
  downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [0.2], timeout_seconds: 60, deduplicate: false, embed_metadata: false },
}

async function withMedia(t: TestContext): Promise<MediaServer> {
  const media = await startMediaServer()
  t.after(() => media.close())
  return media
}

async function submit(app: TestApp['app'], url: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })
  assert.equal(res.statusCode, 201, res.body)
  return res.json().download_id
}

async function waitForStatus(app: TestApp['app'], id: string, wanted: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const body = (await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
    if (wanted.includes(body.status)) return body
    if (Date.now() > deadline) throw new Error(`download ${id} is ${body.status}, not ${wanted.join('|')}: ${JSON.stringify(body)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('a finished file is served with Range support, byte-exact', async (t) => {
  const media = await withMedia(t)
  const { app } = await buildTestApp(t, { config: engineConfig, startWorker: true })
  const id = await submit(app, media.url('/video.mp4'))
  const done = await waitForStatus(app, id, ['completed', 'failed'])
  assert.equal(done.status, 'completed', done.error_message)
  assert.match(done.file_url, new RegExp(`^/api/v1/links/${id}/0\\?k=test-admin&exp=\\d+&sig=`), 'a signed link')
  const original = readFileSync(media.smallVideo.path)

  const whole = await app.inject({ url: done.file_url, headers: auth })
  assert.equal(whole.statusCode, 200)
  assert.equal(whole.headers['content-type'], 'video/mp4')
  assert.equal(whole.headers['accept-ranges'], 'bytes')
  assert.match(String(whole.headers['content-disposition']), /^inline; filename=".+\.mp4"; filename\*=UTF-8''/)
  assert.ok(whole.rawPayload.equals(original))

  const part = await app.inject({ url: done.file_url, headers: { ...auth, range: 'bytes=100-1099' } })
  assert.equal(part.statusCode, 206)
  assert.equal(part.headers['content-range'], `bytes 100-1099/${original.length}`)
  assert.ok(part.rawPayload.equals(original.subarray(100, 1100)))

  const tail = await app.inject({ url: done.file_url, headers: { ...auth, range: 'bytes=-500' } })
  assert.equal(tail.statusCode, 206)
  assert.ok(tail.rawPayload.equals(original.subarray(original.length - 500)))

  const beyond = await app.inject({ url: done.file_url, headers: { ...auth, range: `bytes=${original.length + 10}-` } })
  assert.equal(beyond.statusCode, 416)

  assert.equal((await app.inject({ url: done.file_url })).statusCode, 200, 'a signed link needs no key')
  assert.equal((await app.inject({ url: `/api/v1/downloads/${id}/file` })).statusCode, 401, 'the file route does')
})

test('the file route is 404 until completed and after the file is gone', async (t) => {
  const media = await withMedia(t)
  const { app, downloadsDir } = await buildTestApp(t, { config: engineConfig, startWorker: true })
  media.setSlowRate(50 * 1024)
  const slow = await submit(app, media.url('/slow.mp4'))
  const notYet = await app.inject({ url: `/api/v1/downloads/${slow}/file`, headers: auth })
  assert.equal(notYet.statusCode, 404)
  assert.equal(notYet.json().error.code, 'not_found')
  await app.inject({ method: 'POST', url: `/api/v1/downloads/${slow}/cancel`, headers: auth })

  const id = await submit(app, media.url('/video.mp4'))
  const done = await waitForStatus(app, id, ['completed'])
  rmSync(path.join(downloadsDir, done.file_path))
  assert.equal((await app.inject({ url: done.file_url, headers: auth })).statusCode, 404)
  assert.equal((await app.inject({ url: '/api/v1/downloads/not-a-uuid/file', headers: auth })).statusCode, 400)
})

test('cancel, retry and delete follow the state rules (409 otherwise)', async (t) => {
  const media = await withMedia(t)
  const { app, downloadsDir } = await buildTestApp(t, { config: engineConfig, startWorker: true })
  media.setSlowRate(50 * 1024)
  const id = await submit(app, media.url('/slow.mp4'))
  await waitForStatus(app, id, ['downloading'])
  const busyDelete = await app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}`, headers: auth })
  assert.equal(busyDelete.statusCode, 409)
  assert.equal(busyDelete.json().error.code, 'invalid_state')
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/retry`, headers: auth })).statusCode, 409)

  const cancelled = await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/cancel`, headers: auth })
  assert.equal(cancelled.statusCode, 200)
  assert.equal(cancelled.json().status, 'cancelled')
  assert.equal(existsSync(path.join(downloadsDir, '.incomplete', id)), false, 'partial files removed')
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/cancel`, headers: auth })).statusCode, 409)

  media.setSlowRate(50 * 1024 * 1024)
  const retried = await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/retry`, headers: auth })
  assert.equal(retried.statusCode, 200)
  assert.ok(['pending', 'downloading'].includes(retried.json().status))
  const done = await waitForStatus(app, id, ['completed'])
  const file = path.join(downloadsDir, done.file_path)
  assert.ok(existsSync(file))

  const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}?delete_file=true`, headers: auth })
  assert.equal(deleted.statusCode, 200)
  assert.deepEqual(deleted.json(), { success: true, download_id: id, file_deleted: true })
  assert.equal(existsSync(file), false)
  assert.equal((await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).statusCode, 404)
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}`, headers: auth })).statusCode, 404)
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/cancel`, headers: auth })).statusCode, 404)
})

test('GET /api/v1/events streams status and progress as Server-Sent Events', async (t) => {
  const media = await withMedia(t)
  const { app } = await buildTestApp(t, { config: engineConfig, startWorker: true })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const stream = await openStream(t, port, auth)
  assert.equal(stream.statusCode, 200)
  assert.match(String(stream.headers['content-type']), /^text\/event-stream/)
  const { events } = stream
  media.setSlowRate(8 * 1024 * 1024)
  const id = await submit(app, media.url('/slow.mp4'))
  const deadline = Date.now() + 30_000
  while (!events.some((e) => e.event === 'status' && e.data.download_id === id && e.data.status === 'completed')) {
    assert.ok(Date.now() < deadline, 'no completed event')
    await stream.received(events.length + 1, 30_000)
  }
  const statuses = events.filter((e) => e.event === 'status' && e.data.download_id === id).map((e) => e.data.status)
  assert.deepEqual(statuses.slice(0, 2), ['pending', 'downloading'])
  assert.equal(statuses.at(-1), 'completed')
  // A status event is the whole download object, with the file links this reader may use.
  const last = events.filter((e) => e.event === 'status' && e.data.download_id === id).at(-1)!.data
  assert.equal(last.kind, 'video')
  assert.equal(last.files?.length, 1)
  assert.equal(last.file_url, last.files?.[0]?.file_url)
  assert.ok(events.some((e) => e.event === 'progress' && e.data.download_id === id), 'progress events')
})

test('GET /metrics: Prometheus text with queue depth, outcomes, bytes and HTTP latency', async (t) => {
  const media = await withMedia(t)
  const { app } = await buildTestApp(t, { config: engineConfig, startWorker: true })
  const id = await submit(app, media.url('/video.mp4'))
  await waitForStatus(app, id, ['completed'])
  const res = await app.inject({ url: '/metrics', headers: auth })
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/plain/)
  assert.match(res.body, /^vds_downloads\{status="completed"\} 1$/m)
  assert.match(res.body, /^vds_download_outcomes_total\{status="completed"\} 1$/m)
  assert.match(res.body, new RegExp(`^vds_downloaded_bytes_total ${media.smallVideo.size}$`, 'm'))
  assert.match(res.body, /^vds_http_request_duration_seconds_count\{route="\/api\/v1\/download",method="POST",status_code="201"\} 1$/m)
  assert.match(res.body, /^vds_download_duration_seconds_count 1$/m)
  assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401)
})

test('an events client that stops reading is dropped instead of buffered without end', async (t) => {
  // One stream at most: a second one opens only once the first was dropped.
  const { app, events } = await buildTestApp(t, { config: { security: { max_event_streams: 1 } } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const open = () =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/events', headers: auth }, resolve)
      req.on('error', reject)
      req.end()
    })
  const stream = await open()
  t.after(() => stream.destroy())
  stream.pause() // a client that never reads again
  const blocked = await open()
  assert.equal(blocked.statusCode, 503, 'the one place is taken')
  blocked.destroy()
  const progress = { percent: 1, downloaded_bytes: 1, total_bytes: 100, speed_bps: 1, eta_seconds: 1 }
  const padding = 'x'.repeat(1000)
  // ~8 MB of events, far beyond what the socket buffers hold
  for (let i = 0; i < 8000; i++) {
    events.emit('progress', { id: padding, progress })
    if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  const next = await open()
  t.after(() => next.destroy())
  assert.equal(next.statusCode, 200, 'the stream that stopped reading was ended and its place freed')
})
