// @integration: a fake yt-dlp and the real gallery-dl
// The fallback from yt-dlp to gallery-dl within one attempt, on yt-dlp's real error texts. yt-dlp is
// a fake script printing those texts (a real site is not reachable from tests); gallery-dl is real.
import assert from 'node:assert/strict'
import { chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startMediaServer, type MediaServer } from '../../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../../helpers/downloaders.js'
import { mediaCodecs, probeMedia } from '../../helpers/probe-media.js'
import { createEngineFixture, waitForStatus } from '../helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

/** A yt-dlp that answers --version and fails every download with `stderr`. */
async function fakeYtDlp(dir: string, stderr: string): Promise<string> {
  const file = path.join(dir, 'fake-yt-dlp')
  const quoted = stderr.replace(/'/g, `'\\''`)
  await writeFile(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo 2099.01.01; exit 0; fi\nprintf '%s\\n' '${quoted}' >&2\nexit 1\n`)
  await chmod(file, 0o755)
  return file
}

for (const build of downloaderBuilds()) {
  describe(`yt-dlp → gallery-dl with gallery-dl ${downloaderVersion(build.galleryDl)} (${build.name})`, () => {
    const engine = async (t: Parameters<typeof createEngineFixture>[0], ytdlpStderr: string, galleryDl = build.galleryDl) => {
      const fx = await createEngineFixture(t, { gallery_dl: { path: galleryDl } })
      const ytdlp = await fakeYtDlp(fx.dir, ytdlpStderr)
      return { fx, worker: fx.startWorker({ config: { ...fx.config, ytdlp: { ...fx.config.ytdlp, path: ytdlp } } }) }
    }

    for (const [what, text] of [
      ['calls the link unsupported', 'ERROR: Unsupported URL: http://127.0.0.1/media/clip.webm'],
      ['says the post has no video (an Instagram image post)', 'ERROR: [Instagram] C3xYz9aLmNo: There is no video in this post'],
    ] as const) {
      test(`when yt-dlp ${what}, gallery-dl downloads the post in the same attempt`, async (t) => {
        const { fx } = await engine(t, text)
        const id = fx.submit(server.url('/media/clip.webm'))
        const row = await waitForStatus(fx, id, 'completed', 120_000)
        assert.deepEqual([row.downloader, row.kind, row.retry_count], ['gallery-dl', 'video', 0])
        assert.deepEqual(mediaCodecs(await probeMedia(path.join(fx.downloadsDir, row.file_path!))), ['h264', 'aac'], 'made iPhone-ready too')
      })
    }

    test('a 404 from yt-dlp is not handed to gallery-dl', async (t) => {
      const { fx } = await engine(t, 'ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found')
      const seen = server.requests.length
      const id = fx.submit(server.url('/media/clip.webm?n=404'))
      const row = await waitForStatus(fx, id, 'failed', 120_000)
      assert.equal(row.error_code, 'not_found')
      assert.deepEqual(server.requests.slice(seen), [], 'gallery-dl never asked the server')
    })

    test("when gallery-dl cannot take the link either, yt-dlp's verdict is the one reported", async (t) => {
      const { fx } = await engine(t, 'ERROR: Unsupported URL: http://127.0.0.1/page.html')
      const id = fx.submit(server.url('/page.html'))
      const row = await waitForStatus(fx, id, 'failed', 120_000)
      assert.equal(row.error_code, 'unsupported_url')
      assert.match(row.error_message ?? '', /^yt-dlp cannot download from this address/)
    })
  })
}

test('a photo link with no gallery-dl installed fails with what to install; the queue keeps going', async (t) => {
  const fx = await createEngineFixture(t, { gallery_dl: { path: '/nonexistent-vds-test/gallery-dl' } })
  const worker = fx.startWorker()
  const id = fx.submit(server.url('/media/photo.jpg'))
  const row = await waitForStatus(fx, id, 'failed', 120_000)
  assert.equal(row.error_code, 'downloader_missing')
  assert.match(row.error_message ?? '', /Install gallery-dl or set gallery_dl\.path/)
  assert.equal(worker.status().paused, null, 'a missing gallery-dl does not pause yt-dlp downloads')
})
