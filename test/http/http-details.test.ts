// HTTP details clients trip over (issue 12 item 8): actions with an empty body under any content
// type, Range edge cases on file routes, JSON errors that do not pose as the file, and compression.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { completeAlbum } from '../helpers/completed-downloads.js'
import { auth, buildTestApp } from '../helpers/test-app.js'

const TIKTOK = 'https://www.tiktok.com/@someone/video/7300000000000000042'

async function withCompletedFile(t: Parameters<typeof buildTestApp>[0]) {
  const services = await buildTestApp(t)
  const created = await services.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK } })
  const id = created.json().download_id as string
  await completeAlbum(services, id, [{ path: 'someone/clip.mp4', media: 'video', type: 'video/mp4', bytes: Buffer.alloc(1000, 7) }])
  return { ...services, id }
}

test('cancel, retry and delete take an empty body under application/json or any other content type', async (t) => {
  const { app } = await buildTestApp(t)
  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded']) {
    const created = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `${TIKTOK}${contentType.length}` } })
    const id = created.json().download_id as string
    const headers = { ...auth, 'content-type': contentType }
    const cancelled = await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/cancel`, headers, payload: '' })
    assert.equal(cancelled.statusCode, 200, `cancel, ${contentType}: ${cancelled.body}`)
    const retried = await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/retry`, headers, payload: '' })
    assert.equal(retried.statusCode, 200, `retry, ${contentType}: ${retried.body}`)
    await app.inject({ method: 'POST', url: `/api/v1/downloads/${id}/cancel`, headers: auth })
    const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/downloads/${id}`, headers, payload: '' })
    assert.equal(deleted.statusCode, 200, `delete, ${contentType}: ${deleted.body}`)
  }
  // A submission still needs its body, and a non-empty body that is not JSON is still 415.
  const empty = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'content-type': 'application/json' }, payload: '' })
  assert.equal(empty.statusCode, 400)
  assert.equal(empty.json().error.code, 'invalid_json')
  const text = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'content-type': 'text/plain' }, payload: TIKTOK })
  assert.equal(text.statusCode, 415)
  assert.equal(text.json().error.code, 'unsupported_media_type')
})

test('file routes: 416 says the size, an unreadable Range is ignored, and JSON errors carry no Content-Disposition', async (t) => {
  const { app, id } = await withCompletedFile(t)
  for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
    const answer = await app.inject({ url: `/api/v1/downloads/${id}/file`, headers: { ...auth, range } })
    assert.equal(answer.statusCode, 416, range)
    assert.equal(answer.headers['content-range'], 'bytes */1000', range)
    assert.equal(answer.headers['content-disposition'], undefined, range)
    assert.match(String(answer.headers['content-type']), /^application\/json/, range)
    assert.equal(answer.json().error.code, 'range_not_satisfiable')
  }
  for (const range of ['bytes=abc', 'bytes=-', 'items=0-1']) {
    const answer = await app.inject({ url: `/api/v1/downloads/${id}/file`, headers: { ...auth, range } })
    assert.equal(answer.statusCode, 200, `${range}: ${answer.body.slice(0, 100)}`)
    assert.equal(answer.rawPayload.length, 1000)
  }
  const missing = await app.inject({ url: `/api/v1/downloads/${id}/files/7`, headers: auth })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.headers['content-disposition'], undefined)
  const whole = await app.inject({ url: `/api/v1/downloads/${id}/file`, headers: auth })
  assert.match(String(whole.headers['content-disposition']), /^inline; filename="clip.mp4"/)
})

test('JSON, HTML, JS and CSS are compressed when asked for; media files and small answers are not', async (t) => {
  const { app, id } = await withCompletedFile(t)
  for (let i = 0; i < 10; i++) {
    await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `${TIKTOK}${i}` } })
  }
  const plain = await app.inject({ url: '/api/v1/history', headers: auth })
  const br = await app.inject({ url: '/api/v1/history', headers: { ...auth, 'accept-encoding': 'br' } })
  assert.equal(br.headers['content-encoding'], 'br')
  assert.ok(br.rawPayload.length < plain.rawPayload.length / 2, `${br.rawPayload.length} of ${plain.rawPayload.length}`)
  assert.deepEqual(JSON.parse(brotliDecompressSync(br.rawPayload).toString()).total, plain.json().total)
  for (const [url, type] of [['/', /text\/html/], ['/assets/app.js', /javascript/], ['/assets/app.css', /text\/css/]] as const) {
    const answer = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
    assert.equal(answer.statusCode, 200, url)
    assert.match(String(answer.headers['content-type']), type, url)
    assert.equal(answer.headers['content-encoding'], 'gzip', url)
    assert.ok(gunzipSync(answer.rawPayload).length > answer.rawPayload.length, url)
  }
  const file = await app.inject({ url: `/api/v1/downloads/${id}/file`, headers: { ...auth, 'accept-encoding': 'br, gzip' } })
  assert.equal(file.headers['content-encoding'], undefined, 'video is sent as it is')
  assert.equal(file.rawPayload.length, 1000)
  const small = await app.inject({ url: `/api/v1/status/${id}`, headers: { ...auth, 'accept-encoding': 'gzip' } })
  assert.equal(small.statusCode, 200)
})
