// @integration: real yt-dlp and the worker against the loopback media server
// The worker end to end: real yt-dlp against the loopback fixture server, real files, real SQLite.
// What runs yt-dlp runs once per build (the system's and the current one, test/helpers/downloaders.ts);
// the queue's pauses do not depend on the build and run once, with the system's.
import assert from 'node:assert/strict'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'
import { DownloadWorker } from '../../src/jobs/worker.js'
import { PAGE_TITLE, startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { createEngineFixture, finishedFiles, partialFiles, waitFor, waitForStatus } from './helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

for (const build of downloaderBuilds()) {
  describe(`the worker with yt-dlp ${downloaderVersion(build.ytdlp)} (${build.name})`, () => {
    /** The engine fixture, running this build's yt-dlp. */
    const engine = (t: TestContext, overrides: Parameters<typeof createEngineFixture>[1] = {}) =>
      createEngineFixture(t, { ...overrides, ytdlp: { ...overrides.ytdlp, path: build.ytdlp } })

    test('a direct MP4 and an og:video page complete with the file and its facts', async (t) => {
      const fx = await engine(t, { downloads: { max_concurrent: 2 } })
      const statuses: string[] = []
      fx.events.on('status', (e) => statuses.push(`${e.id}:${e.status}`))
      fx.startWorker()
      const direct = fx.submit(server.url('/video.mp4'))
      const page = fx.submit(server.url('/page.html'))

      for (const id of [direct, page]) {
        const row = await waitForStatus(fx, id, 'completed')
        assert.ok(row.file_path && !path.isAbsolute(row.file_path) && !row.file_path.startsWith('..'), `relative path: ${row.file_path}`)
        assert.equal(row.filename, path.basename(row.file_path))
        // Tags written into the file make it a little larger than the served one.
        assert.equal((await stat(path.join(fx.downloadsDir, row.file_path))).size, row.file_size)
        assert.ok(row.file_size! > server.smallVideo.size && row.file_size! < server.smallVideo.size + 4096, String(row.file_size))
        assert.equal(row.kind, 'video')
        assert.equal(row.downloader, 'yt-dlp')
        assert.equal(row.extractor, 'generic')
        assert.equal(row.video_id, 'video')
        assert.equal(row.progress_percent, 100)
        assert.equal(row.retry_count, 0)
        assert.equal(row.error_message, null)
        assert.equal(row.worker_pid, null)
        assert.ok(row.started_at && row.completed_at)
        assert.deepEqual(statuses.filter((s) => s.startsWith(id)), [`${id}:downloading`, `${id}:completed`])
      }
      assert.equal(fx.row(direct).title, 'video')
      assert.equal(fx.row(page).title, PAGE_TITLE)
      // storage.path_template's default: {site}/{uploader}/{title} [{video_id}]
      assert.equal(fx.row(direct).file_path, path.join('127.0.0.1', 'unknown', 'video [video].mp4'))
      // yt-dlp's generic extractor names the page's host as its uploader.
      assert.equal(fx.row(page).file_path, path.join('127.0.0.1', new URL(server.origin).host, `${PAGE_TITLE} [video].mp4`))
      assert.equal(fx.row(page).thumbnail_url, server.url('/thumb.jpg'))
      assert.deepEqual(await partialFiles(fx), [])
      assert.equal((await finishedFiles(fx)).length, 2)
    })

    test('a flaky server is retried after the configured delays and then completes', async (t) => {
      const fx = await engine(t, { downloads: { retry_delays_seconds: [0.2, 0.2], embed_metadata: false } })
      const retries: (string | null | undefined)[] = []
      fx.events.on('status', (e) => e.status === 'pending' && retries.push(e.error_message))
      fx.startWorker()
      const id = fx.submit(server.url(`/flaky/2/video.mp4?key=${Date.now()}`))

      const row = await waitForStatus(fx, id, 'completed')
      assert.equal(row.retry_count, 2)
      assert.equal(row.next_attempt_at, null)
      assert.equal(row.error_message, null, 'a success clears the last error')
      assert.equal(row.file_size, server.smallVideo.size)
      assert.equal(retries.length, 2)
      assert.match(String(retries[0]), /server error/i)
    })

    test('a 404 fails at once with a readable message, and retry runs it again', async (t) => {
      const fx = await engine(t, { downloads: { retry_delays_seconds: [0.2, 0.2] } })
      const worker = fx.startWorker()
      const id = fx.submit(server.url('/status/404'))

      const row = await waitForStatus(fx, id, 'failed')
      assert.equal(row.retry_count, 0)
      assert.equal(row.error_code, 'not_found')
      assert.match(row.error_message ?? '', /not found.*link is wrong or the video was removed/i)
      assert.deepEqual((await fx.actionsOn(worker).retry(id)).ok, true)
      const again = fx.row(id)
      assert.ok(['pending', 'downloading'].includes(again.status))
      assert.equal(again.error_message, null)
      await waitForStatus(fx, id, 'failed')
      assert.deepEqual((await fx.actionsOn(worker).retry('00000000-0000-4000-8000-000000000000')), { ok: false, reason: 'not_found' })
    })

    test('a file written outside the downloads folder fails the job and is left alone', async (t) => {
      const fx = await engine(t)
      const elsewhere = path.join(fx.dir, 'elsewhere')
      const unsafe = { ...fx.config, ytdlp: { ...fx.config.ytdlp, extra_args: ['--paths', `home:${elsewhere}`] } }
      const worker = new DownloadWorker({ jobs: fx.jobs, config: unsafe, events: fx.events, log: fx.log, downloadsDir: fx.downloadsDir, egress: fx.egress })
      fx.defer(() => worker.stop())
      worker.start()
      const id = fx.submit(server.url('/video.mp4'))

      const row = await waitForStatus(fx, id, 'failed')
      assert.equal(row.error_code, 'unsafe_output')
      assert.match(row.error_message ?? '', /outside the downloads folder .*ytdlp\.extra_args/)
      assert.equal(row.file_path, null)
      assert.equal((await readdir(elsewhere)).length, 1, 'nothing outside the downloads folder is deleted')
      assert.deepEqual(await partialFiles(fx), [])
    })

    test('stop() puts running jobs back to pending and leaves no process or partial file', async (t) => {
      const fx = await engine(t)
      const worker = fx.startWorker()
      const id = fx.submit(server.url('/slow.mp4'))
      await waitFor('yt-dlp to write a partial file', async () => (await partialFiles(fx)).some((f) => f.endsWith('.part')))

      await worker.stop()
      const row = fx.row(id)
      assert.equal(row.status, 'pending')
      assert.equal(row.retry_count, 0, 'a shutdown is not a failed attempt')
      assert.equal(row.worker_pid, null)
      assert.deepEqual(await partialFiles(fx), [])
      assert.deepEqual(worker.status().running, false)
      fx.submit(server.url('/video.mp4'))
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(worker.status().active, 0, 'a stopped worker takes no job')
    })
  })
}

test('low disk pauses the queue; jobs wait and resume by themselves', async (t) => {
  const fx = await createEngineFixture(t, { storage: { min_free_disk_mb: 100 } })
  let freeBytes = 10 * 1024 * 1024
  const worker = fx.startWorker({ freeDiskBytes: async () => freeBytes, pauseRecheckMs: 100 })
  const id = fx.submit(server.url('/video.mp4'))

  await waitFor('the low-disk pause', () => worker.status().paused === 'low_disk')
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(fx.row(id).status, 'pending')
  assert.equal(worker.status().active, 0)

  freeBytes = 10 * 1024 * 1024 * 1024
  await waitForStatus(fx, id, 'completed')
  assert.equal(worker.status().paused, null)
})

test('a missing yt-dlp pauses the queue instead of failing jobs', async (t) => {
  const fx = await createEngineFixture(t, { ytdlp: { path: '/nonexistent-vds-test/yt-dlp' } })
  const worker = fx.startWorker({ pauseRecheckMs: 100 })
  const id = fx.submit(server.url('/video.mp4'))

  await waitFor('the yt-dlp pause', () => worker.status().paused === 'ytdlp_missing')
  assert.equal(fx.row(id).status, 'pending')
  assert.deepEqual(worker.status(), { running: true, active: 0, max_concurrent: 2, paused: 'ytdlp_missing' })
})
