// Crash recovery: a yt-dlp that outlived its server is stopped, the job goes back to pending and
// then completes, with never two yt-dlp processes for the job.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { findProcessesMentioning, isProcessAlive } from '../../src/process/process-tree.js'
import { recoverInterruptedJobs } from '../../src/jobs/recovery.js'
import { buildYtDlpArgs } from '../../src/jobs/ytdlp/args.js'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { createEngineFixture, partialFiles, waitFor, waitForStatus, type EngineFixture } from './helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer({ slowBytesPerSecond: 100 * 1024 })
})
after(() => server.close())

/** What a crashed server leaves: a claimed row and its yt-dlp, still running in its own group. */
function startOrphanDownload(fx: EngineFixture, id: string): number {
  const row = fx.jobs.claimNext(new Date().toISOString())
  assert.equal(row?.id, id)
  const args = buildYtDlpArgs({ url: row.url, jobId: id, ytdlp: fx.config.ytdlp, downloadsDir: fx.downloadsDir, userAgent: null, canMerge: true })
  const child = spawn(fx.config.ytdlp.path, args, { detached: true, stdio: 'ignore' })
  child.unref()
  assert.ok(child.pid)
  fx.jobs.recordPid(id, child.pid, new Date().toISOString())
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

test('a leftover yt-dlp is stopped, the job goes back to pending and completes', async (t) => {
  const fx = await createEngineFixture(t)
  const id = fx.submit(server.url('/slow.mp4'))
  const stopSampling = sampleProcessCount(id)
  fx.defer(stopSampling)

  const orphanPid = startOrphanDownload(fx, id)
  await waitFor('the orphan to write a partial file', async () => (await partialFiles(fx)).some((f) => f.endsWith('.part')))

  const report = await recoverInterruptedJobs({ jobs: fx.jobs, downloadsDir: fx.downloadsDir, log: fx.log, killGraceMs: 1_000 })
  assert.deepEqual(report.requeued, [id])
  assert.deepEqual(report.stopped_pids, [orphanPid])
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

test('a recorded pid that now belongs to another program is left alone', async (t) => {
  const fx = await createEngineFixture(t)
  const id = fx.submit(server.url('/video.mp4'))
  fx.jobs.claimNext(new Date().toISOString())
  const unrelated = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
  fx.defer(() => unrelated.kill('SIGKILL'))
  fx.jobs.recordPid(id, unrelated.pid!, new Date().toISOString())

  const report = await recoverInterruptedJobs({ jobs: fx.jobs, downloadsDir: fx.downloadsDir, log: fx.log })
  assert.deepEqual(report, { requeued: [id], stopped_pids: [] })
  assert.equal(isProcessAlive(unrelated.pid!), true)
  assert.equal(fx.row(id).status, 'pending')
})
