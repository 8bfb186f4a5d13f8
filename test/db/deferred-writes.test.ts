// Issue 8 item 5: a job's end that the database refuses (locked by another connection, disk full,
// file made read-only) is kept in memory, health says why, and it is written once the database
// takes writes again. Real SQLite, the real writer thread and a real second connection holding the
// write lock.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { createDeferredWrites } from '../../src/db/deferred-writes.js'
import { createDownloadsRepository } from '../../src/db/downloads-repository.js'
import { pruneIdempotencyKeys } from '../../src/db/idempotency-pruning.js'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { closeDatabase, DATABASE_FILE, openDatabase } from '../../src/db/open.js'
import { createWriteHealth } from '../../src/db/write-health.js'
import { createSubmissionWrites } from '../../src/db/submission-writes.js'
import { createJobWrites } from '../../src/db/job-writes.js'
import { startWriter } from '../../src/db/writer.js'
import { observedWriter } from '../../src/db/writer-observed.js'
import { tempDir } from '../helpers/test-app.js'

const ERROR = { code: 'private', message: 'This video is private.' }

async function setup(t: TestContext, dir: string) {
  const db = openDatabase(dir, { busyTimeoutMs: 20 })
  t.after(() => {
    closeDatabase(db)
  })
  const writer = await startWriter(dir, { busyTimeoutMs: 20 })
  t.after(() => writer.stop())
  const health = createWriteHealth(() => writer.call('health', 'probe'))
  const observed = observedWriter(writer, health)
  const deferred = createDeferredWrites({ health, retryMs: 20, maxRetryMs: 50 })
  t.after(() => deferred.stop())
  const downloads = createDownloadsRepository(db, observed)
  const jobs = createJobsRepository(db, observed, deferred)
  const now = new Date().toISOString()
  // Fixture rows, synchronously on the test's own connection.
  const submissions = createSubmissionWrites(db)
  const claims = createJobWrites(db)
  const claimed = () => {
    const id = randomUUID()
    submissions.submit(
      { id, url: `https://www.tiktok.com/@a/video/${id}`, normalized_url: id, client_id: 'c', api_key_name: null, shared_at: null, now },
      { deduplicate: false },
    )
    assert.equal(claims.claimNext(now)?.id, id)
    return id
  }
  return { db, health, deferred, downloads, jobs, now, claimed, writer, file: path.join(dir, DATABASE_FILE) }
}

/** Settles within `ms`? (false: still pending) */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false
  void promise.then(() => (settled = true), () => (settled = true))
  await new Promise((resolve) => setTimeout(resolve, ms))
  return settled
}

test('a job end refused by another connection\'s write lock is kept, then written when the lock goes', async (t) => {
  const { health, jobs, downloads, claimed, file, now } = await setup(t, tempDir(t))
  const id = claimed()
  const other = new Database(file)
  t.after(() => other.close())
  other.exec('BEGIN IMMEDIATE')

  const failing = jobs.fail(id, ERROR, now)
  assert.equal(await settlesWithin(failing, 300), false, 'kept while the lock is held')
  assert.match(health.problem() ?? '', /write lock.*1 job state kept/)
  // A submission meanwhile is refused (the route answers 503), not queued behind the lock.
  const started = performance.now()
  await assert.rejects(
    downloads.submit({ id: randomUUID(), url: 'https://x/1', normalized_url: 'x1', client_id: 'c', api_key_name: null, shared_at: null, now }, { deduplicate: false }),
    { code: /^SQLITE_BUSY/ },
  )
  assert.ok(performance.now() - started < 1000, 'refused promptly (busy_timeout 20 ms), not after the lock')

  other.exec('COMMIT')
  const row = await failing
  assert.equal(row?.status, 'failed')
  assert.equal(row?.error_code, 'private')
  assert.equal(health.problem(), null, 'writes work again')
  const stored = other.prepare<[string], { status: string }>('SELECT status FROM downloads WHERE id = ?').get(id)
  assert.equal(stored?.status, 'failed')
})

test('kept writes land in order: a later state never overtakes an earlier one', async (t) => {
  const { jobs, claimed, file, now } = await setup(t, tempDir(t))
  const first = claimed()
  const second = claimed()
  const other = new Database(file)
  t.after(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const order: string[] = []
  const a = jobs.fail(first, ERROR, now).then(() => order.push('first'))
  // Taken while the first is kept: queued behind it even though it could be tried at once.
  const b = jobs.requeue(second, now).then(() => order.push('second'))
  await new Promise((resolve) => setTimeout(resolve, 100))
  other.exec('COMMIT')
  await Promise.all([a, b])
  assert.deepEqual(order, ['first', 'second'])
})

test('stopping gives up what is kept (recovery finds the rows at the next start)', async (t) => {
  const { deferred, jobs, claimed, file, now } = await setup(t, tempDir(t))
  const id = claimed()
  const other = new Database(file)
  t.after(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const failing = jobs.fail(id, ERROR, now)
  await new Promise((resolve) => setTimeout(resolve, 50))
  deferred.stop()
  await assert.rejects(failing, { name: 'WritesStoppedError' })
  other.exec('ROLLBACK')
  assert.equal(other.prepare<[string], { status: string }>('SELECT status FROM downloads WHERE id = ?').get(id)?.status, 'downloading')
})

test('health rechecks with one small write once nothing is left to retry', async (t) => {
  const { writer, health, file } = await setup(t, tempDir(t))
  const other = new Database(file)
  t.after(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  await assert.rejects(writer.call('health', 'probe'), { code: /^SQLITE_BUSY/ })
  health.failed(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))
  await health.recheck()
  assert.match(health.problem() ?? '', /write lock/)
  other.exec('COMMIT')
  await health.recheck()
  assert.equal(health.problem(), null)
})

test('idempotency keys older than 7 days are pruned in bounded batches; newer ones stay', async (t) => {
  const { db, downloads } = await setup(t, tempDir(t))
  const put = db.prepare('INSERT INTO idempotency_keys (owner, key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?)')
  const DAY = 24 * 60 * 60 * 1000
  const now = Date.parse('2026-12-01T12:00:00Z')
  for (let i = 0; i < 25; i++) put.run('anna', `old-${i}`, 'h', 201, '{}', new Date(now - 8 * DAY - i * 1000).toISOString())
  for (let i = 0; i < 3; i++) put.run('anna', `new-${i}`, 'h', 201, '{}', new Date(now - 6 * DAY).toISOString())
  const batches: number[] = []
  const counting = {
    pruneIdempotencyKeys: async (before: string, limit: number) => {
      const n = await downloads.pruneIdempotencyKeys(before, limit)
      batches.push(n)
      return n
    },
  }
  assert.equal(await pruneIdempotencyKeys({ downloads: counting, now: () => now, batch: 10, maxBatches: 2 }), 20)
  assert.deepEqual(batches, [10, 10], 'at most maxBatches of batch rows per run')
  assert.equal(await pruneIdempotencyKeys({ downloads: counting, now: () => now, batch: 10 }), 5)
  const left = db.prepare<[], { key: string }>('SELECT key FROM idempotency_keys ORDER BY key').all().map((r) => r.key)
  assert.deepEqual(left, ['new-0', 'new-1', 'new-2'])
})
