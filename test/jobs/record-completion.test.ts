// Completion with every file of a post, and "same video, one copy": a job whose extractor and video
// id equal those of a completed download completes as its duplicate, and its own files go.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import type { CompletedDownload, NewDownloadFile } from '../../src/core/types.js'
import { createDownloadFilesRepository } from '../../src/db/download-files-repository.js'
import { recordCompletion } from '../../src/jobs/record-completion.js'
import { createJobWrites } from '../../src/db/job-writes.js'
import { createEngineFixture, type EngineFixture } from './helpers.js'

const NOW = '2030-01-01T00:00:00.000Z'

async function madeFile(fx: EngineFixture, relative: string, media: NewDownloadFile['media'], contentType: string): Promise<NewDownloadFile> {
  await mkdir(path.dirname(path.join(fx.downloadsDir, relative)), { recursive: true })
  await writeFile(path.join(fx.downloadsDir, relative), `bytes of ${relative}`)
  return { media, filename: path.basename(relative), file_path: relative, file_size: 9 + relative.length, content_type: contentType, width: 1080, height: 1920, duration_seconds: media === 'image' ? null : 3 }
}

function post(files: NewDownloadFile[], extractor: string | null, videoId: string | null): CompletedDownload {
  return { title: 'A post', uploader: 'someone', duration_seconds: null, thumbnail_url: null, extractor, video_id: videoId, downloader: 'gallery-dl', files }
}

/** A submitted and claimed job, as the worker holds it when its attempt ends. */
function runningJob(fx: EngineFixture, url: string): string {
  const id = fx.submit(url)
  // Synchronously, on the fixture's own connection: the setting, not the code under test.
  assert.equal(createJobWrites(fx.db).claimNext(NOW)?.id, id)
  return id
}

test('an album completes with every file in order; the top-level file is files[0]', async (t) => {
  const fx = await createEngineFixture(t)
  const files = createDownloadFilesRepository(fx.db)
  const id = runningJob(fx, 'http://127.0.0.1/p/1')
  const made = [
    await madeFile(fx, 'album/1.jpg', 'image', 'image/jpeg'),
    await madeFile(fx, 'album/2.mp4', 'video', 'video/mp4'),
    await madeFile(fx, 'album/3.m4a', 'audio', 'audio/mp4'),
  ]
  const statuses: unknown[] = []
  fx.events.on('status', (event) => statuses.push(event))
  const row = await recordCompletion(id, post(made, 'Instagram', 'CODE1'), NOW, { ...fx, log: fx.log })
  assert.equal(row?.status, 'completed')
  assert.equal(row.kind, 'album')
  assert.equal(row.downloader, 'gallery-dl')
  assert.equal(row.file_path, 'album/1.jpg')
  assert.equal(row.filename, '1.jpg')
  assert.equal(row.duplicate_of, null)
  const stored = files.filesOf(row)
  assert.deepEqual(stored.map((file) => [file.idx, file.file_path, file.media, file.content_type]), [
    [0, 'album/1.jpg', 'image', 'image/jpeg'],
    [1, 'album/2.mp4', 'video', 'video/mp4'],
    [2, 'album/3.m4a', 'audio', 'audio/mp4'],
  ])
  assert.equal(files.fileOf(row, 2)?.filename, '3.m4a')
  assert.equal(files.fileOf(row, 3), undefined)
  assert.deepEqual(statuses, [{ id, status: 'completed', error_message: null }])
})

test("yt-dlp's single file fills files[0] with its type and media; kind follows the file", async (t) => {
  const fx = await createEngineFixture(t)
  const files = createDownloadFilesRepository(fx.db)
  const video = runningJob(fx, 'http://127.0.0.1/v')
  const done = await fx.jobs.complete(video, { filename: 'clip [x].mp4', file_path: 'clip [x].mp4', file_size: 10, title: 't', uploader: null, duration_seconds: 4, thumbnail_url: null, extractor: 'generic', video_id: 'clip' }, NOW)
  assert.equal(done?.kind, 'video')
  assert.equal(done.downloader, 'yt-dlp')
  assert.deepEqual(files.filesOf(done).map((file) => [file.idx, file.media, file.content_type, file.file_size, file.duration_seconds]), [[0, 'video', 'video/mp4', 10, 4]])
  const sound = runningJob(fx, 'http://127.0.0.1/s')
  const audio = await fx.jobs.complete(sound, { filename: 'song.mp3', file_path: 'song.mp3', file_size: 5, title: null, uploader: null, duration_seconds: null, thumbnail_url: null, extractor: 'generic', video_id: 'song' }, NOW)
  assert.equal(audio?.kind, 'audio')
  assert.equal(files.filesOf(audio)[0]?.content_type, 'audio/mpeg')
})

test('the same extractor and video id completes as a duplicate: the same files, no second copy', async (t) => {
  const fx = await createEngineFixture(t)
  const files = createDownloadFilesRepository(fx.db)
  const first = runningJob(fx, 'https://www.tiktok.com/@someone/video/7300000000000000001')
  const original = await recordCompletion(first, post([await madeFile(fx, 'tiktok/someone/a [1].mp4', 'video', 'video/mp4')], 'TikTok', '7300000000000000001'), NOW, fx)
  assert.ok(original)

  // The short link of the same video: a different URL, so only completion can tell.
  const second = runningJob(fx, 'https://vm.tiktok.com/ZMabcdef/')
  const ownCopy = await madeFile(fx, 'tiktok/someone copy/a [1] second.mp4', 'video', 'video/mp4')
  const duplicate = await recordCompletion(second, post([ownCopy], 'TikTok', '7300000000000000001'), NOW, fx)
  assert.equal(duplicate?.status, 'completed')
  assert.equal(duplicate.duplicate_of, first)
  assert.equal(duplicate.file_path, original.file_path)
  assert.deepEqual(files.filesOf(duplicate).map((file) => file.file_path), ['tiktok/someone/a [1].mp4'])
  assert.equal(existsSync(path.join(fx.downloadsDir, ownCopy.file_path)), false, 'the second copy is removed')
  assert.equal(existsSync(path.join(fx.downloadsDir, 'tiktok/someone copy')), false, 'and its emptied folder')
  assert.equal(existsSync(path.join(fx.downloadsDir, original.file_path!)), true, "the original's file stays")
  assert.equal(files.otherDownloadsUsing(original.file_path!, first), 1, 'the file is shared')

  // Another video of the same site is not a duplicate.
  const third = runningJob(fx, 'https://www.tiktok.com/@someone/video/7300000000000000002')
  const other = await recordCompletion(third, post([await madeFile(fx, 'tiktok/someone/b [2].mp4', 'video', 'video/mp4')], 'TikTok', '7300000000000000002'), NOW, fx)
  assert.equal(other?.duplicate_of, null)
})

test("no dedupe for extractors whose ids are file names (yt-dlp's generic, gallery-dl's directlink)", async (t) => {
  const fx = await createEngineFixture(t)
  for (const extractor of ['generic', 'directlink']) {
    const a = runningJob(fx, `http://127.0.0.1/a/${extractor}/video.mp4`)
    await recordCompletion(a, post([await madeFile(fx, `${extractor}-a.mp4`, 'video', 'video/mp4')], extractor, 'video'), NOW, fx)
    const b = runningJob(fx, `http://127.0.0.1/b/${extractor}/video.mp4`)
    const second = await recordCompletion(b, post([await madeFile(fx, `${extractor}-b.mp4`, 'video', 'video/mp4')], extractor, 'video'), NOW, fx)
    assert.equal(second?.duplicate_of, null, `${extractor}: two different files that share a name`)
    assert.equal(second.file_path, `${extractor}-b.mp4`)
    assert.ok(existsSync(path.join(fx.downloadsDir, `${extractor}-b.mp4`)))
  }
})

test('a job cancelled while its files were finished keeps nothing', async (t) => {
  const fx = await createEngineFixture(t)
  const id = runningJob(fx, 'http://127.0.0.1/p/2')
  assert.ok((await fx.jobs.cancel(id, NOW)))
  const made = [await madeFile(fx, 'gone/1.jpg', 'image', 'image/jpeg'), await madeFile(fx, 'gone/2.jpg', 'image', 'image/jpeg')]
  assert.equal(await recordCompletion(id, post(made, 'Instagram', 'CODE2'), NOW, fx), undefined)
  assert.equal(existsSync(path.join(fx.downloadsDir, 'gone')), false)
  assert.equal(fx.row(id).status, 'cancelled')
  assert.equal(createDownloadFilesRepository(fx.db).filesOf(fx.row(id)).length, 0)
})
