// DELETE ?delete_file=true on albums and on downloads that share files (duplicate_of).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { completeAlbum } from '../helpers/completed-downloads.js'
import { auth, buildTestApp } from '../helpers/test-app.js'

type Built = Awaited<ReturnType<typeof buildTestApp>>
const submit = async ({ app }: Built, url: string): Promise<string> => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })
  assert.equal(res.statusCode, 201)
  return res.json().download_id as string
}
const album = [
  { path: 'instagram.com/anna/Three things [C3x]/01.jpg', media: 'image' as const, type: 'image/jpeg', bytes: Buffer.from('one') },
  { path: 'instagram.com/anna/Three things [C3x]/02.mp4', media: 'video' as const, type: 'video/mp4', bytes: Buffer.from('two') },
  { path: 'instagram.com/anna/Three things [C3x]/03.jpg', media: 'image' as const, type: 'image/jpeg', bytes: Buffer.from('three') },
]

test('delete_file removes every file of an album and its folder', async (t) => {
  const built = await buildTestApp(t)
  const id = await submit(built, 'https://www.instagram.com/p/C3xYz9aLmNo/')
  await completeAlbum(built, id, album)
  const onDisk = album.map((file) => path.join(built.downloadsDir, file.path))
  assert.ok(onDisk.every((file) => existsSync(file)))
  // downloads.keep_original put the source of the video beside it.
  const original = path.join(path.dirname(onDisk[1]!), '02.original.webm')
  await writeFile(original, 'webm')

  const res = await built.app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}?delete_file=true`, headers: auth })
  assert.deepEqual(res.json(), { success: true, download_id: id, file_deleted: true })
  assert.deepEqual(onDisk.filter((file) => existsSync(file)), [])
  assert.equal(existsSync(original), false, 'a kept original goes with its file')
  assert.equal(existsSync(path.dirname(onDisk[0]!)), false, 'the album folder goes with its files')
  assert.ok(existsSync(path.join(built.downloadsDir, 'instagram.com')), 'folders above the album stay')
})

test('files another download shares stay until the last download listing them is deleted', async (t) => {
  const built = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  const original = await submit(built, 'https://www.instagram.com/p/C3xYz9aLmNo/')
  await completeAlbum(built, original, album)
  // A second download of the same post completes as a duplicate: it lists the original's files.
  const copy = await submit(built, 'https://www.instagram.com/reel/C3xYz9aLmNo/')
  const jobs = createJobsRepository(built.db)
  const now = new Date().toISOString()
  assert.equal((await jobs.claimNext(now))?.id, copy)
  const file = { media: 'image' as const, filename: 'x.jpg', file_path: 'x.jpg', file_size: 1, content_type: 'image/jpeg', width: null, height: null, duration_seconds: null }
  const outcome = await jobs.completeWithFiles(copy, { title: 'Three things', uploader: 'someone', duration_seconds: null, thumbnail_url: null, extractor: 'Instagram', video_id: original.slice(0, 8), downloader: 'gallery-dl', files: [file] }, now)
  assert.equal(outcome?.duplicateOf?.id, original)
  const onDisk = album.map((entry) => path.join(built.downloadsDir, entry.path))

  const first = await built.app.inject({ method: 'DELETE', url: `/api/v1/downloads/${original}?delete_file=true`, headers: auth })
  assert.equal(first.json().file_deleted, false, 'the duplicate still lists every file')
  assert.ok(onDisk.every((entry) => existsSync(entry)))
  const last = await built.app.inject({ method: 'DELETE', url: `/api/v1/downloads/${copy}?delete_file=true`, headers: auth })
  assert.equal(last.json().file_deleted, true)
  assert.deepEqual(onDisk.filter((entry) => existsSync(entry)), [])
})

test('without delete_file the files stay', async (t) => {
  const built = await buildTestApp(t)
  const id = await submit(built, 'https://www.instagram.com/p/C3xYz9aLmNo/')
  await completeAlbum(built, id, album)
  const res = await built.app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}`, headers: auth })
  assert.equal(res.json().file_deleted, false)
  assert.ok(album.every((file) => existsSync(path.join(built.downloadsDir, file.path))))
})
