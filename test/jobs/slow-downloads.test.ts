// @integration: real yt-dlp against a throttled route, and its time limit
// Long downloads: live progress, cancel and the per-attempt time limit, against a throttled route.
// Progress and cancel run with each yt-dlp build (its progress lines, its .part files, how it takes
// SIGTERM); the time limit is the server's own and runs once, with the system's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { findProcessesMentioning } from '../../src/process/process-tree.js'
import type { DownloadProgress } from '../../src/core/types.js'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { createEngineFixture, finishedFiles, partialFiles, waitFor, waitForStatus } from './helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer({ slowBytesPerSecond: 200 * 1024 })
})
after(() => server.close())

for (const build of downloaderBuilds()) {
  describe(`a long download with yt-dlp ${downloaderVersion(build.ytdlp)} (${build.name})`, () => {
    test('progress rises while downloading; cancel stops the process tree and removes partial files', async (t) => {
      const fx = await createEngineFixture(t, { ytdlp: { path: build.ytdlp } })
      const progress: DownloadProgress[] = []
      fx.events.on('progress', (e) => progress.push(e.progress))
      const worker = fx.startWorker()
      const id = fx.submit(server.url('/slow.mp4'))

      const pid = await waitFor('the yt-dlp pid', () => fx.row(id).worker_pid ?? undefined)
      await waitFor('progress to rise', () => {
        const percents = progress.map((p) => p.percent ?? 0)
        return percents.length >= 2 && percents.at(-1)! > percents[0]!
      })
      const stored = await waitFor('progress in the database', () => (fx.row(id).progress_percent ?? 0) > 0 && fx.row(id))
      assert.equal(stored.total_bytes, server.largeVideo.size)
      assert.ok(stored.progress_percent! < 100 && stored.downloaded_bytes! > 0 && stored.speed_bps! > 0)
      assert.equal(progress.at(-1)!.total_bytes, server.largeVideo.size)

      const cancelled = await fx.actionsOn(worker).cancel(id)
      assert.equal(cancelled.ok && cancelled.row.status, 'cancelled')
      assert.throws(() => process.kill(-pid, 0), /ESRCH/, 'the whole process group is gone')
      assert.deepEqual(await findProcessesMentioning(id), [])
      assert.deepEqual(await partialFiles(fx), [])
      assert.deepEqual(await finishedFiles(fx), [])
      assert.equal(fx.row(id).status, 'cancelled')
      assert.deepEqual(await fx.actionsOn(worker).cancel(id), { ok: false, reason: 'invalid_state' })
      assert.deepEqual(await fx.actionsOn(worker).cancel('00000000-0000-4000-8000-000000000000'), { ok: false, reason: 'not_found' })
      assert.equal(worker.status().active, 0)
    })
  })
}

test('an attempt over timeout_seconds is stopped, cleaned up, retried, then failed as a timeout', async (t) => {
  const fx = await createEngineFixture(t, { downloads: { timeout_seconds: 2, retry_delays_seconds: [0.1] } })
  const pending: (string | null | undefined)[] = []
  fx.events.on('status', (e) => e.status === 'pending' && pending.push(e.error_message))
  fx.startWorker({ killGraceMs: 1_000 })
  const id = fx.submit(server.url('/slow.mp4'))

  const row = await waitForStatus(fx, id, 'failed', 20_000)
  assert.equal(row.error_code, 'timeout')
  assert.equal(row.retry_count, 1, 'one retry, then failed')
  assert.match(row.error_message ?? '', /longer than 2 s \(downloads\.timeout_seconds\)/)
  assert.equal(pending.length, 1)
  assert.deepEqual(await findProcessesMentioning(id), [])
  assert.deepEqual(await partialFiles(fx), [])
  assert.deepEqual(await finishedFiles(fx), [])
})
