// Hostile URLs, client ids and bodies: each is a clean 4xx, or is stored and echoed inertly, and
// whatever is stored reaches yt-dlp only as the last argument, after "--".
import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { buildYtDlpArgs } from '../../../src/jobs/ytdlp/args.js'
import { auth, buildTestApp, idleProbes } from '../../helpers/test-app.js'
import { addKeyFromAnotherProcess, assertErrorShape, assertSecurityHeaders, send, TIKTOK } from './helpers.js'

/** reject: a 4xx with this code; inert: 201 with the URL stored and echoed verbatim; either: one of the two. */
type Expectation = { reject: string } | 'inert' | 'either'

const HOSTILE_SUBMISSIONS: Array<[string, Record<string, unknown>, Expectation]> = [
  ['option as url: --exec', { url: '--exec=touch /tmp/pwned' }, { reject: 'invalid_url' }],
  ['option as url: -o', { url: '-o/tmp/x' }, { reject: 'invalid_url' }],
  ['option as url: --batch-file', { url: '--batch-file=/etc/passwd' }, { reject: 'invalid_url' }],
  ['option as url: --output', { url: '--output=/etc/cron.d/x' }, { reject: 'invalid_url' }],
  ['option after whitespace', { url: '  --exec=id' }, { reject: 'invalid_url' }],
  ['option after a URL', { url: `${TIKTOK} --exec=id` }, { reject: 'invalid_url' }],
  ['SQL in the url', { url: "'; DROP TABLE downloads; --" }, { reject: 'invalid_url' }],
  ['SQL in an allowed url query', { url: `${TIKTOK}?q=';DROP%20TABLE%20downloads;--` }, 'inert'],
  ['SQL in client_id', { url: TIKTOK, client_id: "'; DROP TABLE downloads; --" }, { reject: 'invalid_client_id' }],
  ['script in client_id', { url: TIKTOK, client_id: '<script>alert(1)</script>' }, { reject: 'invalid_client_id' }],
  ['script in an allowed url query', { url: `${TIKTOK}?q=<script>alert(1)</script>` }, 'inert'],
  ['javascript: url', { url: 'javascript:alert(document.cookie)' }, { reject: 'invalid_url' }],
  ['data: url', { url: 'data:text/html,<script>alert(1)</script>' }, { reject: 'invalid_url' }],
  ['file: url', { url: 'file:///etc/passwd' }, { reject: 'invalid_url' }],
  ['traversal as url', { url: '../../etc/passwd' }, { reject: 'invalid_url' }],
  ['traversal in client_id', { url: TIKTOK, client_id: '../../etc/passwd' }, { reject: 'invalid_client_id' }],
  ['traversal in an allowed url path', { url: 'https://www.tiktok.com/../../etc/passwd' }, 'either'],
  ['look-alike suffix', { url: 'https://tiktok.com.evil.example/@a/video/1' }, { reject: 'unsupported_site' }],
  ['look-alike user info', { url: 'https://tiktok.com@evil.example/' }, { reject: 'invalid_url' }],
  ['look-alike backslash', { url: 'https://evil.example\\@tiktok.com/' }, { reject: 'invalid_url' }],
  ['look-alike Cyrillic i', { url: 'https://www.t\u0456ktok.com/@a/video/1' }, { reject: 'unsupported_site' }],
  ['look-alike encoded dot', { url: 'https://www.tiktok.com%2eevil.example/' }, { reject: 'invalid_url' }],
  ['allowed name in the fragment', { url: 'https://evil.example/#tiktok.com' }, { reject: 'unsupported_site' }],
  ['loopback', { url: 'http://127.0.0.1:8443/api/v1/history' }, { reject: 'unsupported_site' }],
  ['NUL in url', { url: `${TIKTOK}\u0000--exec=id` }, { reject: 'invalid_url' }],
  ['CRLF in url', { url: `${TIKTOK}\r\nX-Injected: 1` }, { reject: 'invalid_url' }],
  ['NUL in client_id', { url: TIKTOK, client_id: 'phone\u0000' }, { reject: 'invalid_client_id' }],
  ['CRLF in client_id', { url: TIKTOK, client_id: 'phone\r\nX-Injected: 1' }, { reject: 'invalid_client_id' }],
  ['url as an array', { url: [TIKTOK, '--exec=id'] }, { reject: 'invalid_url' }],
  ['url as an object', { url: { toString: TIKTOK } }, { reject: 'invalid_url' }],
  ['prototype key in a nested field', { url: TIKTOK, extra: { constructor: { name: 'x' } } }, 'either'],
]

test('hostile submissions are refused with a 4xx or stored and echoed inertly', async (t) => {
  const { app, db, downloads, config } = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  for (const [name, payload, expectation] of HOSTILE_SUBMISSIONS) {
    const answer = await send(app, { method: 'POST', url: '/api/v1/download', headers: auth, payload })
    assertSecurityHeaders(answer, name)
    const stored = answer.statusCode === 201
    if (expectation === 'inert' || (expectation === 'either' && stored)) {
      assert.equal(answer.statusCode, 201, `${name}: ${answer.body}`)
      const id = (JSON.parse(answer.body) as { download_id: string }).download_id
      const row = downloads.findById(id)!
      const submitted = String(payload.url).trim()
      if (expectation === 'inert') assert.equal(row.url, submitted, `${name}: stored verbatim`)
      const status = await send(app, { method: 'GET', url: `/api/v1/status/${id}`, headers: auth })
      assert.match(String(status.headers['content-type']), /^application\/json/, `${name}: echoed as JSON`)
      assert.equal((JSON.parse(status.body) as { url: string }).url, row.url, `${name}: echoed as a JSON string`)
      const args = buildYtDlpArgs({
        url: row.url,
        jobId: id,
        ytdlp: config.ytdlp,
        downloadsDir: path.resolve(config.storage.downloads_dir),
        userAgent: null,
        canMerge: true,
      })
      assert.deepEqual(args.slice(-2), ['--', row.url], `${name}: the URL is yt-dlp's last argument, after --`)
      assert.equal(args.indexOf(row.url), args.length - 1, `${name}: and nowhere else`)
    } else if (expectation !== 'either') {
      assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${name}: got ${answer.statusCode}`)
      assert.equal(assertErrorShape(answer, name), expectation.reject, name)
    }
  }
  // The SQL strings were data: the table and its rows are all there.
  const { n } = db.prepare('SELECT count(*) AS n FROM downloads').get() as { n: number }
  assert.equal(n, downloads.history({ limit: 1, offset: 0 }).total)
  assert.ok(n >= 2)
})

/** [name, raw body, content type, status, code] */
const HOSTILE_BODIES: Array<[string, string, string, number, string | null]> = [
  ['__proto__ key', `{"url":"${TIKTOK}","__proto__":{"polluted":true}}`, 'application/json', 400, 'invalid_json'],
  ['nested __proto__', `{"url":"${TIKTOK}","a":{"__proto__":{"polluted":true}}}`, 'application/json', 400, 'invalid_json'],
  ['constructor.prototype', `{"url":"${TIKTOK}","constructor":{"prototype":{"polluted":true}}}`, 'application/json', 400, 'invalid_json'],
  ['21 levels deep', `{"url":"${TIKTOK}","x":${'['.repeat(20)}${']'.repeat(20)}}`, 'application/json', 400, 'invalid_json'],
  ['deep and unclosed', `{"url":${'['.repeat(5000)}`, 'application/json', 400, 'invalid_json'],
  ['20 levels deep', `{"url":"${TIKTOK}","x":${'['.repeat(19)}${']'.repeat(19)}}`, 'application/json', 201, null],
  ['brackets inside a string', `{"url":"${TIKTOK}","x":"${'[{'.repeat(40)}\\""}`, 'application/json', 201, null],
  ['charset utf-8', `{"url":"${TIKTOK}"}`, 'application/json; charset=UTF-8', 201, null],
  ['charset latin1', `{"url":"${TIKTOK}"}`, 'application/json; charset=iso-8859-1', 415, 'unsupported_media_type'],
  ['JSON suffix type', `{"url":"${TIKTOK}"}`, 'application/vnd.api+json', 415, 'unsupported_media_type'],
  ['look-alike type', `{"url":"${TIKTOK}"}`, 'application/jsonp', 415, 'unsupported_media_type'],
  ['text/plain', TIKTOK, 'text/plain', 415, 'unsupported_media_type'],
  ['multipart', '--x\r\n\r\n', 'multipart/form-data; boundary=x', 415, 'unsupported_media_type'],
  ['invalid UTF-8', `{"url":"${TIKTOK}\udc00"}`, 'application/json', 201, null],
  ['byte order mark (stripped, as secure-json-parse does)', `\ufeff{"url":"${TIKTOK}"}`, 'application/json', 201, null],
]

test('hostile bodies: prototype keys and deep nesting are 400, other media types 415', async (t) => {
  const { app } = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  for (const [name, payload, contentType, status, code] of HOSTILE_BODIES) {
    const answer = await send(app, { method: 'POST', url: '/api/v1/download', headers: { ...auth, 'content-type': contentType }, payload })
    assert.equal(answer.statusCode, status, `${name}: ${answer.body}`)
    if (code !== null) assert.equal(assertErrorShape(answer, name), code, name)
    assertSecurityHeaders(answer, name)
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
})

test('security headers are on every answer: 2xx, 400, 401, 403, 404, 413, 415, 422, 429', async (t) => {
  const { app, config } = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 1 } }, probes: idleProbes })
  const json = { ...auth, 'content-type': 'application/json' }
  const submitKey = { 'x-api-key': addKeyFromAnotherProcess(config, 'phone', 'submit') }
  const cases: Array<[number, Parameters<typeof send>[1]]> = [
    [200, { method: 'GET', url: '/api/v1/health' }],
    [201, { method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: TIKTOK } }],
    [429, { method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `${TIKTOK}2` } }],
    [400, { method: 'GET', url: '/api/v1/status/%E0%A4%A', headers: auth }],
    [400, { method: 'GET', url: `/api/v1/status/${'x'.repeat(500)}`, headers: auth }],
    [400, { method: 'POST', url: '/api/v1/download', headers: json, payload: '{"url": ' }],
    [401, { method: 'GET', url: '/api/v1/history' }],
    [401, { method: 'GET', url: '/no/such/route' }],
    [403, { method: 'GET', url: '/metrics', headers: submitKey }],
    [404, { method: 'GET', url: '/no/such/route', headers: auth }],
    [413, { method: 'POST', url: '/api/v1/download', headers: json, payload: JSON.stringify({ url: TIKTOK, pad: 'x'.repeat(10_000) }) }],
    [415, { method: 'POST', url: '/api/v1/download', headers: { ...auth, 'content-type': 'text/plain' }, payload: TIKTOK }],
    [422, { method: 'GET', url: '/api/v1/history?limit=1000', headers: auth }],
  ]
  for (const [status, options] of cases) {
    const answer = await send(app, options)
    const context = `${options.method} ${String(options.url).slice(0, 40)}`
    assert.equal(answer.statusCode, status, `${context}: ${answer.body}`)
    assertSecurityHeaders(answer, context)
    if (status >= 400) assertErrorShape(answer, context)
  }
})

test('a client X-Request-Id is echoed when it is visible ASCII up to 128 characters, else replaced', async (t) => {
  const { app } = await buildTestApp(t)
  // SPEC §2 asks for the client's id back; in a header and a JSON string these are inert.
  for (const given of ['<script>alert(1)</script>', '../../etc/passwd', 'shortcut:42']) {
    const answer = await send(app, { method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': given } })
    assert.equal(answer.headers['x-request-id'], given)
  }
  for (const given of ['a'.repeat(200), 'id with spaces', 'ünïcode']) {
    const answer = await send(app, { method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': given } })
    assert.notEqual(answer.headers['x-request-id'], given)
    assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  }
})
