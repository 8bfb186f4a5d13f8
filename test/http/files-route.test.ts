// The download object v2 over HTTP (kind, files[], top-level = files[0]) and
// GET /api/v1/downloads/{id}/files/{index}: Range, 416, Content-Type, Content-Disposition, 404s.
import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { completeAlbum } from '../helpers/completed-downloads.js'

type TestApp = Awaited<ReturnType<typeof buildTestApp>>

async function submit(app: TestApp['app'], url: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })
  assert.equal(res.statusCode, 201, res.body)
  return res.json().download_id
}

const photo = Buffer.alloc(5000, 7)
const clip = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251))

async function albumApp(t: Parameters<typeof buildTestApp>[0]) {
  const services = await buildTestApp(t)
  const id = await submit(services.app, 'https://www.instagram.com/p/CxYz123AbC/')
  await completeAlbum(services, id, [
    { path: 'instagram/someone/Three things [CxYz]/01 photo.jpg', media: 'image', type: 'image/jpeg', bytes: photo },
    { path: 'instagram/someone/Three things [CxYz]/02 clip.mp4', media: 'video', type: 'video/mp4', bytes: clip },
  ])
  return { ...services, id }
}

test('status and history show kind, files[] and the top-level fields of files[0]', async (t) => {
  const { app, id } = await albumApp(t)
  const body = (await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
  assert.equal(body.status, 'completed')
  assert.equal(body.kind, 'album')
  assert.equal(body.downloader, 'gallery-dl')
  assert.equal(body.duplicate_of, null)
  assert.equal(body.files.length, 2)
  assert.deepEqual(Object.keys(body.files[0]).sort(), ['content_type', 'duration_seconds', 'file_path', 'file_size', 'file_url', 'filename', 'height', 'index', 'media', 'width'])
  assert.deepEqual(body.files.map((f: { index: number; media: string; content_type: string }) => [f.index, f.media, f.content_type]), [[0, 'image', 'image/jpeg'], [1, 'video', 'video/mp4']])
  assert.equal(body.filename, '01 photo.jpg')
  assert.equal(body.file_path, body.files[0].file_path)
  assert.equal(body.file_size, photo.length)
  assert.equal(body.file_url, body.files[0].file_url)
  assert.notEqual(body.files[1].file_url, body.files[0].file_url)

  const history = (await app.inject({ url: '/api/v1/history', headers: auth })).json()
  assert.deepEqual(history.downloads[0].files, body.files)
})

test('files/{index}: each file with its type and name; Range gives 206, past the end 416 with bytes */size', async (t) => {
  const { app, id } = await albumApp(t)
  const base = `/api/v1/downloads/${id}/files`
  const second = await app.inject({ url: `${base}/1`, headers: auth })
  assert.equal(second.statusCode, 200)
  assert.ok(second.rawPayload.equals(clip))
  assert.equal(second.headers['content-type'], 'video/mp4')
  assert.equal(second.headers['accept-ranges'], 'bytes')
  assert.equal(second.headers['content-disposition'], `inline; filename="02 clip.mp4"; filename*=UTF-8''02%20clip.mp4`)

  const first = await app.inject({ url: `${base}/0?download=true`, headers: auth })
  assert.equal(first.headers['content-type'], 'image/jpeg')
  assert.match(String(first.headers['content-disposition']), /^attachment; filename="01 photo.jpg"/)
  const legacy = await app.inject({ url: `/api/v1/downloads/${id}/file`, headers: auth })
  assert.ok(legacy.rawPayload.equals(photo), '/file is files[0]')

  const part = await app.inject({ url: `${base}/1`, headers: { ...auth, range: 'bytes=1000-1999' } })
  assert.equal(part.statusCode, 206)
  assert.equal(part.headers['content-range'], `bytes 1000-1999/${clip.length}`)
  assert.ok(part.rawPayload.equals(clip.subarray(1000, 2000)))

  for (const range of [`bytes=${clip.length}-`, `bytes=${clip.length + 5}-${clip.length + 10}`, 'bytes=-0']) {
    const beyond = await app.inject({ url: `${base}/1`, headers: { ...auth, range } })
    assert.equal(beyond.statusCode, 416, range)
    assert.equal(beyond.headers['content-range'], `bytes */${clip.length}`)
    assert.equal(beyond.json().error.code, 'range_not_satisfiable')
    assert.equal(beyond.headers['content-disposition'], undefined, 'an error is not a file')
  }
  const ignored = await app.inject({ url: `${base}/1`, headers: { ...auth, range: 'items=0-5' } })
  assert.equal(ignored.statusCode, 200, 'a Range in other units is ignored')

  assert.equal((await app.inject({ url: `${base}/1` })).statusCode, 401)
})

test('files/{index}: 404 for an index past the last file, an unfinished download, a file gone from disk; 400 for bad ids and indexes', async (t) => {
  const services = await albumApp(t)
  const { app, id } = services
  const beyond = await app.inject({ url: `/api/v1/downloads/${id}/files/2`, headers: auth })
  assert.equal(beyond.statusCode, 404)
  assert.equal(beyond.json().error.code, 'not_found')

  const pending = await submit(app, 'https://www.tiktok.com/@someone/video/7300000000000000009')
  assert.equal((await app.inject({ url: `/api/v1/downloads/${pending}/files/0`, headers: auth })).statusCode, 404)
  assert.equal((await app.inject({ url: `/api/v1/downloads/${pending}/file`, headers: auth })).statusCode, 404)

  assert.equal((await app.inject({ url: `/api/v1/downloads/not-a-uuid/files/0`, headers: auth })).statusCode, 400)
  for (const index of ['-1', 'x', '1.5', '99999999999']) {
    const res = await app.inject({ url: `/api/v1/downloads/${id}/files/${index}`, headers: auth })
    assert.equal(res.statusCode, 400, index)
    assert.equal(res.json().error.code, 'invalid_file_index')
  }

  await rm(path.join(services.downloadsDir, 'instagram/someone/Three things [CxYz]/02 clip.mp4'))
  const gone = await app.inject({ url: `/api/v1/downloads/${id}/files/1`, headers: auth })
  assert.equal(gone.statusCode, 404)
  assert.match(gone.json().error.message, /no longer on disk/)
})
