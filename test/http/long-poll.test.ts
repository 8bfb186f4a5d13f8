// GET /api/v1/status/{id}?wait=N: at once when already final, within 50 ms of the end, after N s
// otherwise, and no waiter left behind when the client hangs up.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { test } from 'node:test'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { auth, buildTestApp } from '../helpers/test-app.js'

type Services = Awaited<ReturnType<typeof buildTestApp>>
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function submit(services: Services, n: number): Promise<string> {
  const res = await services.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `https://www.tiktok.com/@a/video/73000000000000000${n}` } })
  assert.equal(res.statusCode, 201, res.body)
  return res.json().download_id
}

/** Ends a claimed job the way an attempt does: commit, then the status event. Returns when it ended (committed). */
async function finish(services: Services, id: string): Promise<number> {
  const jobs = createJobsRepository(services.db)
  const now = new Date().toISOString()
  const row = await jobs.fail(id, { code: 'private', message: 'This video is private.' }, now)
  assert.ok(row)
  const endedAt = performance.now()
  services.events.emit('status', { id, status: row.status, error_message: row.error_message })
  return endedAt
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

test('a long poll answers within 50 ms of the job ending', async (t) => {
  const services = await buildTestApp(t)
  const latencies: number[] = []
  // The first round warms the route (serializer compiled, code optimised) and is not counted.
  for (let n = 10; n < 16; n++) {
    const id = await submit(services, n)
    assert.equal((await createJobsRepository(services.db).claimNext(new Date().toISOString()))?.id, id)
    let answeredAt = 0
    const polled = services.app.inject({ url: `/api/v1/status/${id}?wait=30`, headers: auth }).then((res) => {
      answeredAt = performance.now()
      return res
    })
    await waitUntil('the poll to wait', () => services.statusWaiters.size() === 1)
    await sleep(50)
    assert.equal(answeredAt, 0, 'still waiting while downloading')
    const endedAt = await finish(services, id)
    const res = await polled
    if (n > 10) latencies.push(answeredAt - endedAt)
    assert.equal(res.statusCode, 200)
    assert.equal(res.json().status, 'failed')
    assert.equal(res.json().error_code, 'private')
    assert.equal(services.statusWaiters.size(), 0)
  }
  t.diagnostic(`answer after the end: ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`)
  assert.ok(Math.max(...latencies) < 50, `every answer within 50 ms (${latencies.join(', ')})`)
})

test('already final: at once; still running: after N seconds with the current state; deleted: 404', async (t) => {
  const services = await buildTestApp(t)
  const done = await submit(services, 20)
  await createJobsRepository(services.db).claimNext(new Date().toISOString())
  await finish(services, done)
  let started = performance.now()
  const atOnce = await services.app.inject({ url: `/api/v1/status/${done}?wait=120`, headers: auth })
  assert.equal(atOnce.json().status, 'failed')
  assert.ok(performance.now() - started < 1000, 'no wait for a final download')

  const pending = await submit(services, 21)
  started = performance.now()
  const later = await services.app.inject({ url: `/api/v1/status/${pending}?wait=1`, headers: auth })
  const elapsed = performance.now() - started
  assert.equal(later.statusCode, 200)
  assert.equal(later.json().status, 'pending')
  assert.ok(elapsed >= 950 && elapsed < 3000, `answered after ${elapsed} ms`)
  // A progress or downloading event is not the end.
  const running = services.app.inject({ url: `/api/v1/status/${pending}?wait=1`, headers: auth })
  await waitUntil('the poll to wait', () => services.statusWaiters.size() === 1)
  services.events.emit('status', { id: pending, status: 'downloading' })
  assert.equal((await running).json().status, 'pending')

  const deleted = services.app.inject({ url: `/api/v1/status/${pending}?wait=30`, headers: auth })
  await waitUntil('the poll to wait', () => services.statusWaiters.size() === 1)
  assert.equal((await services.app.inject({ method: 'DELETE', url: `/api/v1/downloads/${pending}`, headers: auth })).statusCode, 200)
  assert.equal((await deleted).statusCode, 404)

  for (const wait of ['0', '121', '-1', 'abc', '1.5']) {
    const res = await services.app.inject({ url: `/api/v1/status/${done}?wait=${wait}`, headers: auth })
    assert.equal(res.statusCode, 422, wait)
    assert.equal(res.json().error.code, 'invalid_query')
  }
  assert.equal((await services.app.inject({ url: `/api/v1/status/${done}?wait=5` })).statusCode, 401)
})

test('a client that hangs up frees its wait at once; closing the server ends every wait', async (t) => {
  const services = await buildTestApp(t)
  const id = await submit(services, 30)
  await services.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = services.app.server.address() as { port: number }
  const clients = Array.from({ length: 5 }, () => {
    const req = httpRequest({ host: '127.0.0.1', port, path: `/api/v1/status/${id}?wait=120`, headers: auth })
    req.on('error', () => {})
    req.end()
    return req
  })
  await waitUntil('five waits', () => services.statusWaiters.size() === 5)
  for (const client of clients.slice(0, 3)) client.destroy()
  await waitUntil('hung-up waits to go', () => services.statusWaiters.size() === 2)

  const answers = clients.slice(3).map((client) => new Promise<number>((resolve) => client.on('response', (res) => {
    res.resume()
    resolve(res.statusCode ?? 0)
  })))
  const closing = performance.now()
  await services.app.close()
  assert.deepEqual(await Promise.all(answers), [200, 200], 'waiting clients get the current state on shutdown')
  assert.ok(performance.now() - closing < 5000, 'close does not wait for the long polls')
  assert.equal(services.statusWaiters.size(), 0)
})
