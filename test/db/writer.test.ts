// Issue 9 item 1: the writer thread. Real SQLite, the real worker thread, a real second connection.
// Commits are counted in the WAL file itself (a frame whose header carries the database size ends a
// commit), so "fewer commits" is what reached the disk, not what the code says it did.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { createDownloadsRepository } from '../../src/db/downloads-repository.js'
import { closeDatabase, DATABASE_FILE, openDatabase } from '../../src/db/open.js'
import { spawnWriter, startWriter } from '../../src/db/writer.js'
import type { NewSubmission } from '../../src/db/submission-writes.js'
import { auth, buildTestApp, idleProbes, tempDir } from '../helpers/test-app.js'

/** Commit frames in the WAL's current generation (frames whose salts match the header's). */
function walCommits(file: string): number {
  let wal: Buffer
  try {
    wal = readFileSync(`${file}-wal`)
  } catch {
    return 0
  }
  if (wal.length < 32) return 0
  const pageSize = wal.readUInt32BE(8)
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)]
  let commits = 0
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salts[0] || wal.readUInt32BE(at + 12) !== salts[1]) break
    if (wal.readUInt32BE(at + 4) !== 0) commits++
  }
  return commits
}

const submission = (id = randomUUID()): NewSubmission => ({
  id,
  url: `https://www.tiktok.com/@a/video/${id}`,
  normalized_url: id,
  client_id: 'c',
  api_key_name: null,
  shared_at: null,
  now: new Date().toISOString(),
})

async function setup(t: TestContext) {
  const dir = tempDir(t)
  const db = openDatabase(dir)
  t.after(() => closeDatabase(db))
  // No checkpoint during a test: the WAL only grows, so its commit frames can be counted.
  const writer = await startWriter(dir, { busyTimeoutMs: 20, checkpointMs: 60_000 })
  t.after(() => writer.stop())
  return { dir, db, writer, downloads: createDownloadsRepository(db, writer), file: path.join(dir, DATABASE_FILE) }
}

test('concurrent submissions share commits; one after another, each has its own', async (t) => {
  const { downloads, file } = await setup(t)
  const before = walCommits(file)
  const outcomes = await Promise.all(Array.from({ length: 50 }, () => downloads.submit(submission(), { deduplicate: true })))
  assert.ok(outcomes.every((o) => o.kind === 'created'))
  const batched = walCommits(file) - before
  assert.ok(batched >= 1 && batched <= 5, `50 concurrent submissions took ${batched} commits`)
  for (let i = 0; i < 3; i++) await downloads.submit(submission(), { deduplicate: true })
  assert.equal(walCommits(file) - before - batched, 3, 'the counter sees every commit')
  assert.equal(downloads.countsByStatus().pending, 53, 'the main connection reads what the writer committed')
})

test('writes asked before the thread is ready wait for it and commit; a thread stopped before it was ready ends', async (t) => {
  const dir = tempDir(t)
  const db = openDatabase(dir)
  t.after(() => closeDatabase(db))
  // main.ts builds the app while the thread starts: its first writes may come before `ready`.
  const writer = spawnWriter(dir, { busyTimeoutMs: 20 })
  t.after(() => writer.stop())
  const downloads = createDownloadsRepository(db, writer)
  const early = await Promise.all([downloads.submit(submission(), { deduplicate: true }), writer.ready.then(() => 'ready')])
  assert.equal(early[0].kind, 'created')
  assert.equal(downloads.countsByStatus().pending, 1)
  // A start that fails elsewhere (a bad certificate) stops the thread before it said ready: stop() must still settle.
  const unready = spawnWriter(dir, { busyTimeoutMs: 20 })
  await unready.stop()
  await assert.rejects(unready.call('health', 'probe'), /stopped/)
})

test('an error in one call fails only that caller; the rest of its batch commits', async (t) => {
  const { downloads } = await setup(t)
  const taken = randomUUID()
  await downloads.submit(submission(taken), { deduplicate: false })
  const results = await Promise.allSettled([
    downloads.submit(submission(), { deduplicate: false }),
    downloads.submit(submission(taken), { deduplicate: false }),
    downloads.submit(submission(), { deduplicate: false }),
  ])
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  // The code crosses the thread: the submission service maps SQLITE_* to a 503.
  assert.match(((results[1] as PromiseRejectedResult).reason as { code: string }).code, /^SQLITE_CONSTRAINT/)
  assert.equal(downloads.countsByStatus().pending, 3)
})

test('stop() commits what was already asked, then refuses', async (t) => {
  const { dir, writer, downloads, file } = await setup(t)
  const asked = Array.from({ length: 20 }, () => downloads.submit(submission(), { deduplicate: false }))
  await writer.stop()
  assert.equal((await Promise.all(asked)).length, 20)
  await assert.rejects(downloads.submit(submission(), { deduplicate: false }), { code: 'VDS_WRITER_UNAVAILABLE' })
  const other = new Database(path.join(dir, DATABASE_FILE), { readonly: true })
  t.after(() => other.close())
  assert.equal((other.prepare('SELECT count(*) AS n FROM downloads').get() as { n: number }).n, 20)
  // The thread's last act is a TRUNCATE checkpoint: the WAL is empty.
  assert.equal(walCommits(file), 0)
})

test('a write lock held by another process: submissions answer 503 at once, health says why, both recover', async (t) => {
  const built = await buildTestApp(t, { writerThread: true, probes: idleProbes })
  const other = new Database(path.join(built.config.storage.data_dir, DATABASE_FILE))
  t.after(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const started = performance.now()
  const refused = await built.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.tiktok.com/@a/video/1' } })
  assert.equal(refused.statusCode, 503)
  assert.equal(refused.json().error.code, 'storage_unavailable')
  assert.equal(refused.headers['retry-after'], '5')
  assert.ok(performance.now() - started < 2000, 'refused after busy_timeout, not after the lock')
  const degraded = (await built.app.inject({ url: '/api/v1/health' })).json()
  assert.equal(degraded.status, 'degraded')
  assert.match(JSON.stringify(degraded.checks), /write lock/)

  other.exec('COMMIT')
  const accepted = await built.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.tiktok.com/@a/video/1' } })
  assert.equal(accepted.statusCode, 201)
  assert.equal(built.downloads.findById(accepted.json().download_id)?.status, 'pending')
  const healthy = (await built.app.inject({ url: '/api/v1/health' })).json()
  assert.equal(healthy.status, 'healthy')
})

test('the writer thread checkpoints the WAL into the database file (no checkpoint inside commits)', async (t) => {
  const dir = tempDir(t)
  closeDatabase(openDatabase(dir))
  const file = path.join(dir, DATABASE_FILE)
  const filler = new Database(file)
  t.after(() => filler.close())
  filler.pragma('wal_autocheckpoint = 0')
  filler.exec('CREATE TABLE blobs (b BLOB)')
  const insert = filler.prepare('INSERT INTO blobs (b) VALUES (randomblob(4000))')
  for (let i = 0; i < 1500; i++) insert.run() // ~1500 pages: past the default auto-checkpoint size
  const sizeBefore = statSync(file).size
  assert.ok(statSync(`${file}-wal`).size > 4_000_000, 'the WAL holds the writes; nothing checkpointed them')

  const errors: string[] = []
  const writer = await startWriter(dir, { checkpointMs: 50, onCheckpointError: (m) => errors.push(m) })
  t.after(() => writer.stop())
  await writer.call('health', 'probe') // a write: the thread checkpoints after writes only
  const deadline = Date.now() + 10_000
  // Observed from this thread while the checkpoint runs there: wait for all of it, not its first page.
  while (statSync(file).size <= sizeBefore + 4_000_000 && Date.now() < deadline) await sleep(25)
  assert.ok(statSync(file).size > sizeBefore + 4_000_000, 'pages were copied into the database file')
  assert.deepEqual(errors, [])
})
