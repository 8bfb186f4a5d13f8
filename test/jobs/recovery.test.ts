// @integration: real and fake yt-dlp processes outliving their server
// Crash recovery: a yt-dlp that outlived its server is stopped, the job goes back to pending and
// then completes, with never two yt-dlp processes for the job. The leftover is each yt-dlp build
// in turn (the system's and the current one); the bookkeeping tests run no downloader.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ATTEMPT_ENV, loadOrCreateServerId, newAttemptMarker } from '../../src/process/attempt-marker.js'
import { findProcessesMentioning, isProcessAlive } from '../../src/process/process-tree.js'
import { jobWorkDir } from '../../src/jobs/output-paths.js'
import { assertNoneLeft, fakeSnippets, livePids, writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { recoverInterruptedJobs } from '../../src/jobs/recovery.js'
import { buildYtDlpArgs } from '../../src/jobs/ytdlp/args.js'
import { ytdlpCommand } from '../../src/jobs/ytdlp/runner.js'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { createJobWrites } from '../../src/db/job-writes.js'
import { createEngineFixture, partialFiles, waitFor, waitForStatus, type EngineFixture } from './helpers.js'

const SLOW_BYTES_PER_SECOND = 100 * 1024
let server: MediaServer
before(async () => {
  server = await startMediaServer({ slowBytesPerSecond: SLOW_BYTES_PER_SECOND })
})
after(() => server.close())

/** This fixture's server id, as the worker and recovery read it from the data folder. */
const serverIdOf = (fx: EngineFixture) => loadOrCreateServerId(fx.config.storage.data_dir)

/** What a crashed server leaves: a claimed row and its yt-dlp, still running in its own group. */
function startOrphanDownload(fx: EngineFixture, id: string): number {
  // Synchronously, on the fixture's own connection: the crashed server's leftovers, not the code under test.
  const writes = createJobWrites(fx.db)
  const row = writes.claimNext(new Date().toISOString())
  assert.equal(row?.id, id)
  const args = buildYtDlpArgs({ url: row.url, jobId: id, ytdlp: fx.config.ytdlp, downloadsDir: fx.downloadsDir, userAgent: null, canMerge: true })
  const env = { ...process.env, [ATTEMPT_ENV]: newAttemptMarker(serverIdOf(fx), id) }
  const child = spawn(ytdlpCommand(fx.config), args, { detached: true, stdio: 'ignore', env })
  child.unref()
  assert.ok(child.pid)
  writes.recordPid(id, child.pid, new Date().toISOString())
  return child.pid
}

/** Counts the job's yt-dlp processes every 50 ms; returns the highest count seen. */
function sampleProcessCount(jobId: string): () => Promise<number> {
  let highest = 0
  let running = true
  const loop = (async () => {
    while (running) {
      highest = Math.max(highest, (await findProcessesMentioning(jobId)).length)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return async () => {
    running = false
    await loop
    return highest
  }
}

for (const build of downloaderBuilds()) {
  describe(`recovery of a leftover yt-dlp ${downloaderVersion(build.ytdlp)} (${build.name})`, () => {
    test('a leftover yt-dlp is stopped, the job goes back to pending and completes', async (t) => {
      // No tags written: the finished file is the served one, byte for byte.
      const fx = await createEngineFixture(t, { downloads: { embed_metadata: false }, ytdlp: { path: build.ytdlp } })
      server.setSlowRate(SLOW_BYTES_PER_SECOND) // the build before sped it up to finish
      const id = fx.submit(server.url('/slow.mp4'))
      const stopSampling = sampleProcessCount(id)
      fx.defer(stopSampling)

      const orphanPid = startOrphanDownload(fx, id)
      await waitFor('the orphan to write a partial file', async () => (await partialFiles(fx)).some((f) => f.endsWith('.part')))

      const report = await recoverInterruptedJobs({ jobs: fx.jobs, downloadsDir: fx.downloadsDir, serverId: serverIdOf(fx), log: fx.log, killGraceMs: 1_000 })
      assert.deepEqual(report.requeued, [id])
      assert.ok(report.stopped_pids.includes(orphanPid))
      assert.equal(isProcessAlive(orphanPid), false)
      assert.deepEqual(await partialFiles(fx), [])
      const row = fx.row(id)
      assert.equal(row.status, 'pending')
      assert.equal(row.retry_count, 0, 'a crash is not a failed attempt')
      assert.equal(row.worker_pid, null)

      server.setSlowRate(64 * 1024 * 1024)
      fx.startWorker()
      const done = await waitForStatus(fx, id, 'completed')
      assert.equal(done.file_size, server.largeVideo.size)
      assert.equal(await stopSampling(), 1, 'exactly one yt-dlp for the job at any time')
    })
  })
}

test('a recorded pid that now belongs to another program is left alone', async (t) => {
  const fx = await createEngineFixture(t)
  const id = fx.submit(server.url('/video.mp4'))
  await fx.jobs.claimNext(new Date().toISOString())
  const unrelated = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
  fx.defer(() => unrelated.kill('SIGKILL'))
  await fx.jobs.recordPid(id, unrelated.pid!, new Date().toISOString())

  const report = await recoverInterruptedJobs({ jobs: fx.jobs, downloadsDir: fx.downloadsDir, serverId: serverIdOf(fx), log: fx.log })
  assert.deepEqual(report, { requeued: [id], adopted: [], failed: [], stopped_pids: [] })
  assert.equal(isProcessAlive(unrelated.pid!), true)
  assert.equal(fx.row(id).status, 'pending')
})

test('what a crashed attempt left in its own session is stopped; another server\'s processes and files are left alone', async (t) => {
  const fx = await createEngineFixture(t)
  const id = fx.submit(server.url('/video.mp4'))
  await fx.jobs.claimNext(new Date().toISOString())
  // Our crashed attempt: its leader exited, a setsid daemon and a re-parented grandchild live on.
  const fake = await writeFakeDownloader(fx.dir, 'crashed-attempt', `${fakeSnippets.setsidDaemon}\n${fakeSnippets.reparentedGrandchild}\nexit 0`)
  fx.defer(() => fake.killAll())
  spawn(fake.path, [], { detached: true, stdio: 'ignore', env: { ...process.env, [ATTEMPT_ENV]: newAttemptMarker(serverIdOf(fx), id) } }).unref()
  await waitFor('the daemons to start', async () => (await livePids(await fake.pids())).length >= 2)
  // Another server on the same downloads folder: its downloader runs, its work folder is in use.
  const otherJob = '11111111-2222-4333-8444-555555555555'
  await mkdir(jobWorkDir(fx.downloadsDir, otherJob), { recursive: true })
  await writeFile(path.join(jobWorkDir(fx.downloadsDir, otherJob), 'video.mp4.part'), 'x')
  const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, [ATTEMPT_ENV]: newAttemptMarker('another-server', otherJob) } })
  fx.defer(() => other.kill('SIGKILL'))

  const report = await recoverInterruptedJobs({
    jobs: fx.jobs, downloadsDir: fx.downloadsDir, serverId: serverIdOf(fx), log: fx.log, killGraceMs: 500,
    isOwnJob: (jobId) => jobId !== otherJob,
  })
  assert.deepEqual(report.requeued, [id])
  assert.equal(report.stopped_pids.length >= 2, true)
  await assertNoneLeft(fake, 3)
  assert.equal(isProcessAlive(other.pid!), true, "another server's downloader keeps running")
  assert.deepEqual(await readdir(jobWorkDir(fx.downloadsDir, otherJob)), ['video.mp4.part'])
})

test('a job the server keeps dying on fails after its third interruption instead of crash-looping', async (t) => {
  const fx = await createEngineFixture(t)
  const id = fx.submit(server.url('/video.mp4'))
  const recover = () => recoverInterruptedJobs({ jobs: fx.jobs, downloadsDir: fx.downloadsDir, serverId: serverIdOf(fx), log: fx.log })
  for (const interruptions of [1, 2]) {
    assert.equal((await fx.jobs.claimNext(new Date().toISOString()))?.id, id)
    assert.deepEqual((await recover()).requeued, [id])
    assert.equal(fx.row(id).interrupted_count, interruptions)
    assert.equal(fx.row(id).retry_count, 0)
  }
  await fx.jobs.claimNext(new Date().toISOString())
  const report = await recover()
  assert.deepEqual(report, { requeued: [], adopted: [], failed: [id], stopped_pids: [] })
  const row = fx.row(id)
  assert.equal(row.status, 'failed')
  assert.equal(row.error_code, 'downloader_failed')
  assert.match(row.error_message ?? '', /server stopped 3 times while downloading this link/)
  // A clean shutdown is not a crash; a person's retry starts the count over.
  assert.equal((await fx.jobs.retry(id, new Date().toISOString()))?.interrupted_count, 0)
  await fx.jobs.claimNext(new Date().toISOString())
  assert.equal((await fx.jobs.requeue(id, new Date().toISOString()))?.interrupted_count, 0)
})
