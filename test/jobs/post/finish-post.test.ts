// @integration: real yt-dlp, ffprobe and ffmpeg
// Each file of a post made iPhone-ready and tagged, end to end through the worker: real yt-dlp,
// ffprobe and ffmpeg against the loopback media server, for the system's builds and the current ones.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createDownloadFilesRepository } from '../../../src/db/download-files-repository.js'
import { PAGE_TITLE, startMediaServer, type MediaServer } from '../../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../../helpers/downloaders.js'
import { mediaCodecs, probeMedia, videoPacketsMd5 } from '../../helpers/probe-media.js'
import { createEngineFixture, waitForStatus } from '../helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

for (const build of downloaderBuilds()) {
  describe(`finished files with yt-dlp ${downloaderVersion(build.ytdlp)} (${build.name})`, () => {
    const engine = (t: Parameters<typeof createEngineFixture>[0], downloads: Record<string, unknown> = {}) =>
      createEngineFixture(t, { ytdlp: { path: build.ytdlp }, gallery_dl: { path: build.galleryDl }, downloads })

    test('a VP9/Opus webm becomes an H.264/AAC MP4; an H.264 mkv is remuxed, packets untouched', async (t) => {
      const fx = await engine(t, { keep_original: true })
      fx.startWorker()
      const webm = fx.submit(server.url('/media/clip.webm'))
      const mkv = fx.submit(server.url('/media/clip.mkv'))
      const webmRow = await waitForStatus(fx, webm, 'completed', 120_000)
      const mkvRow = await waitForStatus(fx, mkv, 'completed', 120_000)
      const webmFile = path.join(fx.downloadsDir, webmRow.file_path!)
      // Both files are called "clip" with the id "clip": the second gets " (2)", nothing is overwritten.
      assert.deepEqual([webmRow.file_path, mkvRow.file_path].map((p) => path.basename(p!)).sort(), ['clip [clip] (2).mp4', 'clip [clip].mp4'])
      assert.deepEqual(mediaCodecs(await probeMedia(webmFile)), ['h264', 'aac'])
      const mkvFile = path.join(fx.downloadsDir, mkvRow.file_path!)
      assert.deepEqual(mediaCodecs(await probeMedia(mkvFile)), ['h264', 'aac'])
      assert.equal(await videoPacketsMd5(mkvFile), await videoPacketsMd5(server.extraFiles['clip.mkv'].path), 'remux: no re-encode')
      // downloads.keep_original: the sources stay beside, not listed as files of the download.
      const beside = (await readdir(path.dirname(mkvFile))).sort()
      assert.ok(beside.some((name) => /^clip \[clip\]( \(2\))?\.original\.mkv$/.test(name)), beside.join(', '))
      assert.ok(beside.some((name) => /^clip \[clip\]( \(2\))?\.original\.webm$/.test(name)), beside.join(', '))
      assert.equal(createDownloadFilesRepository(fx.db).filesOf(fx.row(mkv)).length, 1)
    })

    test('title, uploader, source link and the thumbnail as cover art are in the file', async (t) => {
      const fx = await engine(t)
      fx.startWorker()
      const id = fx.submit(server.url('/page.html'))
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      const probe = await probeMedia(path.join(fx.downloadsDir, row.file_path!))
      const tags = probe.format.tags ?? {}
      assert.deepEqual([tags.title, tags.artist, tags.comment], [PAGE_TITLE, new URL(server.origin).host, server.url('/page.html')])
      assert.equal(probe.streams.find((s) => s.disposition?.attached_pic === 1)?.codec_name, 'mjpeg', 'cover art')
      assert.deepEqual(mediaCodecs(probe), ['h264', 'aac'])
    })
  })
}
