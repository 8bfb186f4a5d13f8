import assert from 'node:assert/strict'
import { test } from 'node:test'
import { auth, buildTestApp } from '../helpers/test-app.js'

const TIKTOK = 'https://www.tiktok.com/@someone/video/7300000000000000001'
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('POST /api/v1/download stores the link and answers 201 with the spec body', async (t) => {
  const { app, downloads } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: ` ${TIKTOK} `, client_id: 'iphone-1' } })
  assert.equal(res.statusCode, 201)
  const body = res.json()
  assert.equal(body.success, true)
  assert.match(body.download_id, UUID_V4)
  assert.equal(body.status, 'pending')
  assert.equal(body.message, 'Download queued')
  assert.match(body.submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
  assert.ok(res.headers['x-request-id'])
  const row = downloads.findById(body.download_id)
  assert.equal(row?.url, TIKTOK)
  assert.equal(row?.client_id, 'iphone-1')
})

test('client_id defaults to the API key name; timestamp accepts ISO 8601 and unix seconds', async (t) => {
  const { app, downloads } = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  const iso = new Date(Date.now() - 3600_000).toISOString()
  const a = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK, timestamp: iso } })
  assert.equal(a.statusCode, 201)
  assert.equal(downloads.findById(a.json().download_id)?.client_id, 'test-admin')
  assert.equal(downloads.findById(a.json().download_id)?.shared_at, iso)
  const unix = Math.floor(Date.now() / 1000) - 60
  const b = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK, timestamp: unix } })
  assert.equal(b.statusCode, 201)
  assert.equal(downloads.findById(b.json().download_id)?.shared_at, new Date(unix * 1000).toISOString())
})

test('Authorization: Bearer works like X-API-Key; X-Request-Id is echoed', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/download',
    headers: { authorization: `Bearer ${auth['x-api-key']}`, 'x-request-id': 'shortcut-42' },
    payload: { url: TIKTOK },
  })
  assert.equal(res.statusCode, 201)
  assert.equal(res.headers['x-request-id'], 'shortcut-42')
  const odd = await app.inject({ url: '/api/v1/health', headers: { 'x-request-id': 'req/42?a=b&c' } })
  assert.equal(odd.headers['x-request-id'], 'req/42?a=b&c', 'any visible ASCII id is echoed')
  const spaced = await app.inject({ url: '/api/v1/health', headers: { 'x-request-id': 'has space' } })
  assert.notEqual(spaced.headers['x-request-id'], 'has space', 'an unusable id is replaced')
})

test('the same normalized URL while pending is a duplicate: 200 with the first id', async (t) => {
  const { app, downloads } = await buildTestApp(t)
  const first = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.instagram.com/reel/ABC123/?igsh=xyz&utm_source=ig_web' } })
  assert.equal(first.statusCode, 201)
  const second = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.instagram.com/reel/ABC123/' } })
  assert.equal(second.statusCode, 200)
  assert.equal(second.json().duplicate, true)
  assert.equal(second.json().download_id, first.json().download_id)
  assert.equal(downloads.history({ limit: 10, offset: 0 }).total, 1)
})

test('dedupe off stores every submission', async (t) => {
  const { app, downloads } = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK } })
    assert.equal(res.statusCode, 201)
  }
  assert.equal(downloads.history({ limit: 10, offset: 0 }).total, 2)
})

test('Idempotency-Key: same body replays the original answer, different body is 422', async (t) => {
  const { app, downloads } = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  const headers = { ...auth, 'idempotency-key': 'share-2024-05-01-abc' }
  const first = await app.inject({ method: 'POST', url: '/api/v1/download', headers, payload: { url: TIKTOK } })
  assert.equal(first.statusCode, 201)
  const replay = await app.inject({ method: 'POST', url: '/api/v1/download', headers, payload: { url: TIKTOK } })
  assert.equal(replay.statusCode, 200)
  assert.equal(replay.headers['idempotent-replayed'], 'true')
  assert.deepEqual(replay.json(), first.json())
  const conflict = await app.inject({ method: 'POST', url: '/api/v1/download', headers, payload: { url: `${TIKTOK}9` } })
  assert.equal(conflict.statusCode, 422)
  assert.equal(conflict.json().error.code, 'idempotency_key_reused')
  assert.equal(downloads.history({ limit: 10, offset: 0 }).total, 1)
  const tooLong = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'idempotency-key': 'k'.repeat(256) }, payload: { url: TIKTOK } })
  assert.equal(tooLong.statusCode, 400)
})

const day = 24 * 3600
const now = () => Math.floor(Date.now() / 1000)

/** [name, request, status, error code]; every case must be a clean 4xx and store nothing. */
const MALFORMED: Array<[string, { payload?: string | object; headers?: Record<string, string> }, number, string]> = [
  ['bad JSON', { payload: '{"url": ', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
  ['empty JSON body', { payload: '', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
  ['text/plain', { payload: TIKTOK, headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
  ['form encoded', { payload: `url=${TIKTOK}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
  ['oversize body', { payload: { url: TIKTOK, pad: 'x'.repeat(9000) } }, 413, 'payload_too_large'],
  ['JSON array', { payload: '[1,2]', headers: { 'content-type': 'application/json' } }, 422, 'invalid_body'],
  ['JSON string', { payload: '"https://tiktok.com"', headers: { 'content-type': 'application/json' } }, 422, 'invalid_body'],
  ['missing url', { payload: { client_id: 'x' } }, 422, 'invalid_url'],
  ['url not a string', { payload: { url: 42 } }, 422, 'invalid_url'],
  ['empty url', { payload: { url: '' } }, 422, 'invalid_url'],
  ['long url', { payload: { url: `https://www.tiktok.com/@a/video/${'1'.repeat(2100)}` } }, 422, 'url_too_long'],
  ['relative url', { payload: { url: '/@a/video/1' } }, 422, 'invalid_url'],
  ['javascript:', { payload: { url: 'javascript:alert(1)//tiktok.com' } }, 422, 'invalid_url'],
  ['file:', { payload: { url: 'file:///etc/passwd' } }, 422, 'invalid_url'],
  ['ftp:', { payload: { url: 'ftp://tiktok.com/video.mp4' } }, 422, 'invalid_url'],
  ['disallowed host', { payload: { url: 'https://evil.net/video.mp4' } }, 422, 'unsupported_site'],
  ['look-alike suffix', { payload: { url: 'https://tiktok.com.evil.net/@a/video/1' } }, 422, 'unsupported_site'],
  ['host in query', { payload: { url: 'https://evil.net/?tiktok.com' } }, 422, 'unsupported_site'],
  ['user info', { payload: { url: 'https://user@tiktok.com@evil.net/' } }, 422, 'invalid_url'],
  ['leading dash', { payload: { url: '--exec=touch /tmp/pwned' } }, 422, 'invalid_url'],
  ['bad client id', { payload: { url: TIKTOK, client_id: 'has space' } }, 422, 'invalid_client_id'],
  ['long client id', { payload: { url: TIKTOK, client_id: 'a'.repeat(129) } }, 422, 'invalid_client_id'],
  ['empty client id', { payload: { url: TIKTOK, client_id: '' } }, 422, 'invalid_client_id'],
  ['client id not string', { payload: { url: TIKTOK, client_id: 7 } }, 422, 'invalid_client_id'],
  ['timestamp garbage', { payload: { url: TIKTOK, timestamp: 'yesterday' } }, 422, 'invalid_timestamp'],
  ['timestamp future', { payload: { url: TIKTOK, timestamp: now() + 2 * day } }, 422, 'invalid_timestamp'],
  ['timestamp too old', { payload: { url: TIKTOK, timestamp: now() - 31 * day } }, 422, 'invalid_timestamp'],
  ['timestamp impossible date', { payload: { url: TIKTOK, timestamp: '2024-13-45T99:00:00Z' } }, 422, 'invalid_timestamp'],
  ['timestamp object', { payload: { url: TIKTOK, timestamp: { a: 1 } } }, 422, 'invalid_timestamp'],
]

test('malformed submissions get a clear 4xx and store nothing', async (t) => {
  const { app, downloads } = await buildTestApp(t)
  for (const [name, request, status, code] of MALFORMED) {
    const payload = typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/download',
      headers: { 'content-type': 'application/json', ...auth, ...request.headers },
      payload,
    })
    assert.equal(res.statusCode, status, `${name}: ${res.body}`)
    const body = res.json()
    assert.equal(body.success, false, name)
    assert.equal(body.error.code, code, `${name}: ${res.body}`)
    assert.equal(typeof body.error.message, 'string')
    assert.equal(body.request_id, res.headers['x-request-id'], name)
  }
  assert.equal(downloads.history({ limit: 10, offset: 0 }).total, 0)
})

test('no key, wrong key: 401 with the error body', async (t) => {
  const { app } = await buildTestApp(t)
  for (const headers of [{}, { 'x-api-key': 'wrong-key-wrong-key' }, { authorization: 'Bearer nope' }, { authorization: `Basic ${auth['x-api-key']}` }]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers, payload: { url: TIKTOK } })
    assert.equal(res.statusCode, 401)
    assert.equal(res.json().error.code, 'unauthorized')
  }
})

test('a storage failure is a 503 and promises nothing', async (t) => {
  const { app, db } = await buildTestApp(t)
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON downloads BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`)
  // RAISE(ABORT) surfaces as SQLITE_CONSTRAINT_TRIGGER: closest to a failing disk we can cause safely.
  const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK } })
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().error.code, 'storage_unavailable')
})

test('a replay gets its original answer even when the client is rate-limited or the URL rules changed', async (t) => {
  const { app } = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 2 }, downloads: { deduplicate: false } } })
  const first = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'idempotency-key': 'k-1' }, payload: { url: TIKTOK } })
  assert.equal(first.statusCode, 201)
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `${TIKTOK}2` } })).statusCode, 201)
  const limited = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `${TIKTOK}3` } })
  assert.equal(limited.statusCode, 429)
  const replay = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'idempotency-key': 'k-1' }, payload: { url: TIKTOK } })
  assert.equal(replay.statusCode, 200)
  assert.equal(replay.headers['idempotent-replayed'], 'true')
  assert.deepEqual(replay.json(), first.json())
  const conflict = await app.inject({ method: 'POST', url: '/api/v1/download', headers: { ...auth, 'idempotency-key': 'k-1' }, payload: { url: `${TIKTOK}9` } })
  assert.equal(conflict.statusCode, 422)
  assert.equal(conflict.json().error.code, 'idempotency_key_reused')
})
