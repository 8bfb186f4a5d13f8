// @integration: a fake downloader filling a real tmpfs
// The disk guard while a download runs (issue 8 item 6), on a real 20 MB tmpfs: a downloader that
// keeps writing is stopped at storage.min_free_disk_mb, its partial file is removed, the job waits
// (pending, waiting_reason disk_low, no retry counted) and completes once space is back.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import type { DownloadRow } from '../../src/core/types.js'
import { jobWorkDir } from '../../src/jobs/output-paths.js'
import { assertNoneLeft, writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { createEngineFixture, partialFiles, waitFor, waitForStatus } from './helpers.js'

const MB = 1024 * 1024

// First run: writes a .part file 1 MB at a time and never finishes. Later runs: a finished file.
const FILLER = `
if [ ! -e "$FAKE_PIDS.filled" ]; then
  : > "$FAKE_PIDS.filled"
  i=0
  while [ $i -lt 400 ]; do
    head -c 1048576 /dev/zero >> "$TEMP_DIR/video.mp4.part" 2>/dev/null
    i=$((i + 1))
    sleep 0.05
  done
  exit 1
fi
result "video [$$].mp4"
exit 0`

test('a download that fills the disk is stopped at min_free_disk_mb, waits as disk_low and resumes when space returns', async (t) => {
  const fx = await createEngineFixture(t, { storage: { min_free_disk_mb: 6 } })
  await mkdir(fx.downloadsDir, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', fx.downloadsDir])
  fx.defer(() => execFileSync('umount', ['-l', fx.downloadsDir]))
  // 8 MB of something else: 12 MB free, so the download is stopped after about 6 MB.
  const ballast = path.join(fx.downloadsDir, 'ballast.bin')
  await writeFile(ballast, Buffer.alloc(8 * MB))
  const fake = await writeFakeDownloader(fx.dir, 'filling-yt-dlp', FILLER)
  fx.config.ytdlp.path = fake.path
  fx.defer(() => fake.killAll())

  const waiting: { row: DownloadRow; workFolderLeft: boolean }[] = []
  fx.events.on('status', (e) => {
    if (e.status === 'pending') waiting.push({ row: fx.row(e.id), workFolderLeft: existsSync(jobWorkDir(fx.downloadsDir, e.id)) })
  })
  const worker = fx.startWorker({ diskWatchMs: 100, pauseRecheckMs: 100, killGraceMs: 500 })
  const id = fx.submit('http://127.0.0.1:9/video')

  await waitFor('the disk guard to stop the download', () => waiting.length > 0, 30_000)
  const { row: stopped, workFolderLeft } = waiting[0]!
  assert.equal(stopped.status, 'pending')
  assert.equal(stopped.waiting_reason, 'disk_low')
  assert.equal(stopped.retry_count, 0, 'a full disk is not a failed attempt')
  assert.equal(stopped.error_code, null)
  assert.equal(workFolderLeft, false, 'the partial file is removed before the job waits')
  await assertNoneLeft(fake, 1)

  // Space is back (the partial file is gone): it starts again and completes.
  const done = await waitForStatus(fx, id, 'completed', 20_000)
  assert.equal(done.retry_count, 0)
  assert.equal(done.waiting_reason, null)
  assert.equal(worker.status().paused, null)
  assert.deepEqual(await partialFiles(fx), [])
  await rm(ballast)
})

test('with free disk below the minimum while nothing can be freed, the job keeps waiting and the queue pauses', async (t) => {
  const fx = await createEngineFixture(t, { storage: { min_free_disk_mb: 100 } })
  let freeBytes = 1024 * MB
  const fake = await writeFakeDownloader(fx.dir, 'slow-yt-dlp', 'sleep 30 & echo $! >> "$FAKE_PIDS"\nwait')
  fx.config.ytdlp.path = fake.path
  fx.defer(() => fake.killAll())
  const worker = fx.startWorker({ freeDiskBytes: async () => freeBytes, diskWatchMs: 100, pauseRecheckMs: 100, killGraceMs: 500 })
  const id = fx.submit('http://127.0.0.1:9/video')
  await waitForStatus(fx, id, 'downloading')

  freeBytes = 10 * MB
  const row = await waitFor('the job to wait for disk', () => fx.row(id).waiting_reason === 'disk_low' && fx.row(id))
  assert.equal(row.status, 'pending')
  await waitFor('the low-disk pause', () => worker.status().paused === 'low_disk')
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(fx.row(id).status, 'pending', 'no restart while the disk is still full')
  assert.equal(worker.status().active, 0)
  await assertNoneLeft(fake, 2)
})
