// @integration: fake downloader processes and the worker's waits
// No downloader, no problem (issue 11 item 5): while ytdlp.path names nothing that runs, pending
// jobs wait with waiting_reason downloader_missing (shown in their status), and once a downloader
// appears at that path they lose the reason and run. The "downloader" is a fake script.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { toDownloadView } from '../../src/http/download-view.js'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import type { Writer } from '../../src/db/write-targets.js'
import { createInlineWriter } from '../../src/db/writer-inline.js'
import { createQueueGate } from '../../src/jobs/queue-gate.js'
import { writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { createEngineFixture, waitFor, waitForStatus } from './helpers.js'

const URL = 'http://127.0.0.1:9/video'

test('pending jobs show downloader_missing while yt-dlp is missing, and run once it appears', async (t) => {
  const fx = await createEngineFixture(t, { downloads: { max_concurrent: 1 } })
  const tools = path.join(fx.dir, 'tools')
  fx.config.ytdlp.path = path.join(tools, 'fake-yt-dlp') // not there yet
  const statusEvents: string[] = []
  fx.events.on('status', (event: { id: string }) => statusEvents.push(event.id))
  const worker = fx.startWorker({ pauseRecheckMs: 50, downloaderRecheckMs: 100 })

  const first = fx.submit(URL)
  await waitFor('the first job to show why it waits', () => fx.row(first).waiting_reason === 'downloader_missing')
  assert.equal(worker.status().paused, 'ytdlp_missing')
  // A job submitted while the downloader is missing says so too.
  const second = fx.submit(URL)
  await waitFor('the second job to show why it waits', () => fx.row(second).waiting_reason === 'downloader_missing')
  const row = fx.row(first)
  assert.equal(row.status, 'pending')
  assert.equal(row.retry_count, 0, 'waiting for a downloader is not a failed attempt')
  assert.equal(toDownloadView(row, [], () => null).waiting_reason, 'downloader_missing', 'the status answer shows it')
  assert.ok(statusEvents.includes(first) && statusEvents.includes(second), 'watchers were told')

  // The owner installs it (here: the fake appears at ytdlp.path); no restart.
  await mkdir(tools, { recursive: true })
  const fake = await writeFakeDownloader(tools, 'fake-yt-dlp', 'result "done-$$.mp4"\nexit 0')
  fx.defer(() => fake.killAll())
  for (const id of [first, second]) {
    const done = await waitForStatus(fx, id, 'completed', 15_000)
    assert.equal(done.waiting_reason, null)
  }
  assert.equal(worker.status().paused, null)
})

test('a job waiting for a login keeps that reason while the downloader is missing; a restart with the downloader back clears stale marks', async (t) => {
  const fx = await createEngineFixture(t)
  fx.config.ytdlp.path = path.join(fx.dir, 'missing-yt-dlp')
  const login = fx.submit(URL)
  fx.db.prepare("UPDATE downloads SET waiting_reason = 'login_required' WHERE id = ?").run(login)
  const plain = fx.submit(URL)
  // A retry scheduled for tomorrow: not claimed after the restart, so only the gate can clear it.
  const later = fx.submit(URL)
  fx.db.prepare('UPDATE downloads SET next_attempt_at = ? WHERE id = ?').run(new Date(Date.now() + 86_400_000).toISOString(), later)
  const first = fx.startWorker({ pauseRecheckMs: 50, downloaderRecheckMs: 100 })
  await waitFor('the plain job to show downloader_missing', () => fx.row(plain).waiting_reason === 'downloader_missing')
  await waitFor('the scheduled job to show it too', () => fx.row(later).waiting_reason === 'downloader_missing')
  assert.equal(fx.row(login).waiting_reason, 'login_required')
  await first.stop()

  // Next start: the downloader is there. The mark a past run left goes at the first check; the
  // login wait stays (cookies resume it, not a downloader).
  const fake = await writeFakeDownloader(fx.dir, 'fake-yt-dlp', 'result "done-$$.mp4"\nexit 0')
  fx.defer(() => fake.killAll())
  fx.config.ytdlp.path = fake.path
  fx.startWorker({ pauseRecheckMs: 50 })
  assert.equal((await waitForStatus(fx, plain, 'completed', 15_000)).waiting_reason, null)
  await waitFor('the stale mark on the scheduled job to go', () => fx.row(later).waiting_reason === null)
  assert.equal(fx.row(later).status, 'pending')
  assert.equal(fx.row(login).status, 'pending')
  assert.equal(fx.row(login).waiting_reason, 'login_required')
})

test('the gate writes only when a row would change: checks that find nothing to mark or clear send no write', async (t) => {
  const fx = await createEngineFixture(t)
  const inline = createInlineWriter(fx.db)
  const writes: string[] = []
  const counting: Writer = {
    call: ((target, method, ...args) => {
      writes.push(`${target}.${method}`)
      return inline.call(target, method, ...args)
    }) as Writer['call'],
    stop: () => inline.stop(),
  }
  let available = true
  const gate = createQueueGate({
    config: fx.config,
    downloadsDir: fx.downloadsDir,
    log: fx.log,
    freeDiskBytes: async () => 10 ** 12,
    checkDownloader: async () => ({ available, version: available ? '2099.01.01' : null }),
    downloaderRecheckMs: 0,
    jobs: createJobsRepository(fx.db, counting),
    events: fx.events,
    now: () => new Date(),
  })
  const checks = async (n: number) => {
    for (let i = 0; i < n; i++) await gate.check()
  }

  // First start, no marks a past run left: nothing to clear, no write.
  await checks(3)
  assert.deepEqual(writes, [])

  gate.markDownloaderMissing()
  available = false
  // Nothing pending: nothing to mark.
  await checks(3)
  assert.deepEqual(writes, [])
  const first = fx.submit(URL)
  await checks(5)
  assert.deepEqual(writes, ['jobs.waitForDownloader'], 'one write marks the job; the checks after it find nothing to change')
  assert.equal(fx.row(first).waiting_reason, 'downloader_missing')
  const second = fx.submit(URL)
  await checks(5)
  assert.deepEqual(writes, ['jobs.waitForDownloader', 'jobs.waitForDownloader'], 'a job submitted meanwhile is marked by one more write')
  assert.equal(fx.row(second).waiting_reason, 'downloader_missing')

  available = true
  await checks(5)
  assert.deepEqual(writes.slice(2), ['jobs.downloaderFound'], 'the marks go in one write')
  assert.equal(fx.row(first).waiting_reason, null)
  assert.equal(fx.row(second).waiting_reason, null)

  // Missing again while every pending job waits for something else: nothing to mark.
  fx.db.prepare("UPDATE downloads SET waiting_reason = 'login_required'").run()
  gate.markDownloaderMissing()
  available = false
  await checks(5)
  assert.equal(writes.length, 3)
})
