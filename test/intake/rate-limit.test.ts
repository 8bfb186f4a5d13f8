import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSubmissionRateLimiter } from '../../src/intake/submission-rate-limit.js'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { assertErrorShape, send } from '../http/security/helpers.js'

const video = (n: number) => `https://www.tiktok.com/@someone/video/73${String(n).padStart(17, '0')}`
const submit = (app: Parameters<typeof send>[0], payload: object, headers: Record<string, string> = {}) =>
  send(app, { method: 'POST', url: '/api/v1/download', headers: { ...auth, ...headers }, payload })

test('150 submissions from one client: exactly 100 accepted, then 429 with Retry-After; others unaffected', async (t) => {
  const { app } = await buildTestApp(t)
  const accepted: number[] = []
  let limited = 0
  for (let i = 0; i < 150; i++) {
    const answer = await submit(app, { url: video(i), client_id: 'iphone-1' })
    assert.equal(answer.headers['x-ratelimit-limit'], '100')
    const remaining = Number(answer.headers['x-ratelimit-remaining'])
    const reset = Number(answer.headers['x-ratelimit-reset'])
    assert.ok(reset > 0 && reset <= 3600, `reset ${reset} is seconds from now`)
    if (answer.statusCode === 201) {
      accepted.push(remaining)
    } else {
      assert.equal(answer.statusCode, 429)
      assert.equal(assertErrorShape(answer), 'rate_limited')
      const retryAfter = Number(answer.headers['retry-after'])
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
      assert.equal(remaining, 0)
      limited++
    }
  }
  assert.equal(accepted.length, 100)
  assert.equal(limited, 50)
  assert.deepEqual(accepted, Array.from({ length: 100 }, (_, i) => 99 - i), 'Remaining counts down from 99 to 0')

  const other = await submit(app, { url: video(1000), client_id: 'ipad-2' })
  assert.equal(other.statusCode, 201)
  assert.equal(other.headers['x-ratelimit-remaining'], '99')
  // The key's own name is another client: its window is untouched, and every authenticated answer says so.
  const history = await send(app, { method: 'GET', url: '/api/v1/history', headers: auth })
  assert.equal(history.headers['x-ratelimit-limit'], '100')
  assert.equal(history.headers['x-ratelimit-remaining'], '100')
})

test('rate_limit_per_hour 0 turns the limit off (and its headers)', async (t) => {
  const { app } = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 0 } } })
  for (let i = 0; i < 120; i++) {
    const answer = await submit(app, { url: video(i) })
    assert.equal(answer.statusCode, 201)
    assert.equal(answer.headers['x-ratelimit-limit'], undefined)
  }
})

test('duplicates count, idempotent replays and rejected submissions do not', async (t) => {
  const { app } = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 3 } } })
  const first = await submit(app, { url: video(1) }, { 'idempotency-key': 'share-1' })
  assert.equal(first.statusCode, 201)
  for (let i = 0; i < 5; i++) {
    const replay = await submit(app, { url: video(1) }, { 'idempotency-key': 'share-1' })
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.equal(replay.headers['x-ratelimit-remaining'], '2')
  }
  for (const bad of [{ url: 'https://evil.example/x' }, { url: video(2), timestamp: 'yesterday' }]) {
    assert.equal((await submit(app, bad)).statusCode, 422)
  }
  const duplicate = await submit(app, { url: video(1) })
  assert.equal(duplicate.statusCode, 200)
  assert.equal(duplicate.headers['x-ratelimit-remaining'], '1')
  assert.equal((await submit(app, { url: video(3) })).statusCode, 201)
  assert.equal((await submit(app, { url: video(4) })).statusCode, 429)
})

test('concurrent submissions cannot overshoot the limit while one awaits DNS', async (t) => {
  const { app } = await buildTestApp(t, {
    config: { security: { rate_limit_per_hour: 5 }, downloads: { allowed_domains: ['*'] } },
    // Every submission waits here, after its slot was checked: without a reservation all 12 would pass.
    resolve: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return ['93.184.216.34']
    },
  })
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => submit(app, { url: `https://videos.example.com/${i}` })))
  const codes = answers.map((answer) => answer.statusCode).sort()
  assert.deepEqual(codes, [...Array(5).fill(201), ...Array(7).fill(429)])
})

test('the window survives a restart: stored submissions are counted again', async (t) => {
  const before = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 4 } } })
  for (let i = 0; i < 3; i++) assert.equal((await submit(before.app, { url: video(i) })).statusCode, 201)
  await before.app.close()
  const after = await buildTestApp(t, { dir: before.dir, config: { security: { rate_limit_per_hour: 4 } } })
  assert.equal((await submit(after.app, { url: video(10) })).statusCode, 201)
  assert.equal((await submit(after.app, { url: video(11) })).statusCode, 429)
})

test('limiter: a slot frees when the oldest submission is an hour old; Reset says when', () => {
  let now = Date.parse('2024-05-01T12:00:00Z')
  const limiter = createSubmissionRateLimiter({ limitPerHour: 2, storedSubmissionTimes: () => [], now: () => now })
  limiter.reserve('a')
  now += 10 * 60_000
  limiter.reserve('a')
  assert.deepEqual(limiter.status('a'), { limit: 2, remaining: 0, resetSeconds: 50 * 60 })
  assert.throws(() => limiter.reserve('a'), (err: { statusCode?: number; headers?: Record<string, string> }) =>
    err.statusCode === 429 && err.headers?.['retry-after'] === String(50 * 60))
  now += 50 * 60_000
  assert.deepEqual(limiter.status('a'), { limit: 2, remaining: 1, resetSeconds: 10 * 60 })
  const slot = limiter.reserve('a')
  slot.release()
  slot.release()
  assert.equal(limiter.status('a')?.remaining, 1, 'a released slot is given back once')
})

test('limiter: memory is bounded; a forgotten client is re-read from storage', () => {
  const reads: string[] = []
  const limiter = createSubmissionRateLimiter({
    limitPerHour: 10,
    maxClients: 3,
    storedSubmissionTimes: (clientId) => {
      reads.push(clientId)
      return []
    },
  })
  for (const client of ['a', 'b', 'c', 'd', 'a']) limiter.status(client)
  assert.deepEqual(reads, ['a', 'b', 'c', 'd', 'a'], '"a" was the least recently seen when "d" came, so it was dropped')
})
