// @integration: real yt-dlp against the loopback media server
// One attempt with real yt-dlp against the loopback media server: the last progress event and the
// completed row both say every byte arrived, even when throttling dropped yt-dlp's own last line.
// The real one runs with each build (the system's and the current one); the fake one once.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { DownloadProgress } from '../../src/core/types.js'
import { PROGRESS_MARKER } from '../../src/jobs/ytdlp/output.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { createEngineFixture, waitForStatus } from './helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

for (const build of downloaderBuilds()) {
  describe(`one attempt with yt-dlp ${downloaderVersion(build.ytdlp)} (${build.name})`, () => {
    test('the last progress event and the completed row show downloaded_bytes = total_bytes', async (t) => {
      const fx = await createEngineFixture(t, { ytdlp: { path: build.ytdlp } })
      const seen: { kind: 'progress' | 'status'; progress?: DownloadProgress; status?: string | null }[] = []
      fx.events.on('progress', (e) => seen.push({ kind: 'progress', progress: e.progress }))
      fx.events.on('status', (e) => seen.push({ kind: 'status', status: e.status }))
      fx.startWorker()
      const id = fx.submit(server.url('/large.mp4'))
      const row = await waitForStatus(fx, id, 'completed')

      const progress = seen.filter((e) => e.kind === 'progress').map((e) => e.progress!)
      const last = progress.at(-1)
      assert.ok(last, 'progress was sent')
      assert.equal(last.percent, 100)
      assert.ok(last.total_bytes! > 0)
      assert.equal(last.downloaded_bytes, last.total_bytes)
      assert.equal(last.total_bytes, server.largeVideo.size)
      // It comes before the completed status, so a page's bar is full when the card turns completed.
      const completedAt = seen.findIndex((e) => e.kind === 'status' && e.status === 'completed')
      assert.ok(seen.findLastIndex((e) => e.kind === 'progress') < completedAt)
      assert.equal(row.progress_percent, 100)
      assert.equal(row.downloaded_bytes, row.total_bytes)
      assert.equal(row.total_bytes, server.largeVideo.size)
    })
  })
}

test("a downloader whose own last progress line stopped short still ends on a full bar", async (t) => {
  // The real yt-dlp above usually prints its 100 % line itself; this fake never does, so only the
  // attempt's own closing event can fill the bar.
  const fx = await createEngineFixture(t, { downloads: { embed_metadata: false } })
  const fake = await writeFakeDownloader(fx.dir, 'fake-yt-dlp', `echo '${PROGRESS_MARKER} 500 1000 NA 100 5 NA NA'\nresult clip.mp4 half-1`)
  fx.config.ytdlp.path = fake.path
  fx.defer(() => fake.killAll())
  const progress: DownloadProgress[] = []
  fx.events.on('progress', (e) => progress.push(e.progress))
  fx.startWorker()
  const row = await waitForStatus(fx, fx.submit('http://127.0.0.1:9/clip'), 'completed')
  assert.deepEqual(progress.map((p) => [p.downloaded_bytes, p.total_bytes, p.percent]), [[500, 1000, 50], [1000, 1000, 100]])
  assert.equal(row.progress_percent, 100)
  assert.equal(row.downloaded_bytes, row.total_bytes)
  assert.ok(row.total_bytes! > 0, String(row.total_bytes))
})
