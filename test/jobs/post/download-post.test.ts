// @integration: real yt-dlp, gallery-dl, ffprobe and ffmpeg
// A post end to end through the worker: real yt-dlp, gallery-dl, ffprobe and ffmpeg against the
// loopback media server, for the system's downloader builds and the current ones.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createDownloadFilesRepository } from '../../../src/db/download-files-repository.js'
import { ALBUM_TITLE, startMediaServer, type MediaServer } from '../../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../../helpers/downloaders.js'
import { mediaCodecs, probeMedia } from '../../helpers/probe-media.js'
import { createEngineFixture, finishedFiles, partialFiles, waitForStatus, type EngineFixture } from '../helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

const filesOf = (fx: EngineFixture, id: string) => createDownloadFilesRepository(fx.db).filesOf(fx.row(id))

for (const build of downloaderBuilds()) {
  describe(`posts with yt-dlp ${downloaderVersion(build.ytdlp)} and gallery-dl ${downloaderVersion(build.galleryDl)} (${build.name})`, () => {
    const engine = (t: Parameters<typeof createEngineFixture>[0], downloads: Record<string, unknown> = {}) =>
      createEngineFixture(t, { ytdlp: { path: build.ytdlp }, gallery_dl: { path: build.galleryDl }, downloads })

    test('a page with several <video> elements is one album with every file, in order, all iPhone-ready', async (t) => {
      const fx = await engine(t)
      fx.startWorker()
      const id = fx.submit(server.url('/album.html'))
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      assert.equal(row.kind, 'album')
      assert.equal(row.downloader, 'yt-dlp')
      assert.equal(row.title, ALBUM_TITLE)
      const files = filesOf(fx, id)
      const folder = path.join('127.0.0.1', 'unknown', `${ALBUM_TITLE} [album]`)
      assert.deepEqual(files.map((f) => f.file_path), ['01.mp4', '02.mp4', '03.mp4'].map((name) => path.join(folder, name)))
      assert.deepEqual([row.file_path, row.filename], [files[0]!.file_path, '01.mp4'])
      // The second entry was VP9/Opus webm, the third H.264 mkv: in the album's order, each now an MP4.
      for (const file of files) {
        assert.deepEqual([file.media, file.content_type, file.width, file.height], ['video', 'video/mp4', 320, 240])
        const probe = await probeMedia(path.join(fx.downloadsDir, file.file_path))
        assert.deepEqual(mediaCodecs(probe), ['h264', 'aac'], file.file_path)
        assert.equal(probe.format.tags?.comment, server.url('/album.html'))
      }
      const durations = await Promise.all(files.map(async (f) => Number((await probeMedia(path.join(fx.downloadsDir, f.file_path))).format.duration)))
      assert.ok(durations.every((d) => d > 1.5 && d < 2.5), String(durations))
      assert.deepEqual(await partialFiles(fx), [])
      assert.equal((await finishedFiles(fx)).length, 3)
    })

    test('a feed (a list of posts) yields its first post only', async (t) => {
      const fx = await engine(t)
      fx.startWorker()
      const id = fx.submit(server.url('/feed.xml'))
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      assert.equal(row.kind, 'video')
      assert.equal(row.video_id, 'video')
      assert.equal(filesOf(fx, id).length, 1)
      assert.deepEqual(await finishedFiles(fx), [row.file_path])
      assert.equal(path.basename(row.file_path!), 'First post [video].mp4', "the feed item's own title, not the feed's")
    })

    test('a direct JPEG is kind image, by gallery-dl, kept as it is', async (t) => {
      const fx = await engine(t)
      fx.startWorker()
      const id = fx.submit(server.url('/media/photo.jpg'))
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      assert.deepEqual([row.kind, row.downloader, row.extractor, row.video_id], ['image', 'gallery-dl', 'directlink', 'photo'])
      const [file] = filesOf(fx, id)
      assert.deepEqual([file!.media, file!.content_type, file!.width, file!.height, file!.file_size], ['image', 'image/jpeg', 64, 48, server.extraFiles['photo.jpg'].size])
      assert.equal(path.basename(file!.file_path), 'photo [photo].jpg')
    })

    test('"...wait for it" stays readable, and two posts with one title get two files', async (t) => {
      const fx = await engine(t, { max_items_per_post: 1 })
      fx.startWorker()
      const url = server.url(`/album.html?title=${encodeURIComponent('...wait for it')}`)
      const first = fx.submit(url)
      const firstRow = await waitForStatus(fx, first, 'completed', 120_000)
      const second = fx.submit(url)
      const secondRow = await waitForStatus(fx, second, 'completed', 120_000)
      assert.equal(firstRow.title, '...wait for it')
      const folder = path.join('127.0.0.1', 'unknown')
      assert.equal(path.dirname(firstRow.file_path!), folder)
      assert.match(path.basename(firstRow.file_path!), /^…wait for it \[[^/]+\]\.mp4$/)
      assert.equal(secondRow.file_path, firstRow.file_path!.replace(/\.mp4$/, ' (2).mp4'))
      assert.equal(secondRow.duplicate_of, null, "the generic extractor's ids are only names")
      assert.equal(filesOf(fx, first).length, 1, 'downloads.max_items_per_post caps the album')
    })

    test('a 300-byte title and a long id make a name with the start of both, within 255 bytes, and the download completes', async (t) => {
      const fx = await engine(t, { max_items_per_post: 1 })
      fx.startWorker()
      const title = 'Ünïcödé タイトル 😀 '.repeat(12)
      const pageId = `album-${'9'.repeat(150)}`
      const id = fx.submit(server.url(`/${pageId}.html?title=${encodeURIComponent(title)}`))
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      assert.equal(row.title, title.trim(), 'the row keeps the whole title')
      assert.equal(row.video_id, pageId)
      const name = path.basename(row.file_path!)
      assert.ok(Buffer.byteLength(name) <= 255, `${Buffer.byteLength(name)} bytes`)
      const match = /^(.+)… \[(.+)…\]\.mp4$/u.exec(name)
      assert.ok(match, name)
      assert.ok(title.startsWith(match[1]!) && Buffer.byteLength(match[1]!) >= 40, `the title's start: ${match[1]}`)
      assert.ok(pageId.startsWith(match[2]!) && Buffer.byteLength(match[2]!) >= 40, `the id's start: ${match[2]}`)
      assert.deepEqual(await finishedFiles(fx), [row.file_path])
      assert.deepEqual(await partialFiles(fx), [])
    })
  })
}
