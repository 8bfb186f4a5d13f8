// Property-based: whatever arrives (bodies, headers, paths, query strings), the answer is never a
// 5xx, every error has the body of SPEC §2 and the security headers, and the server keeps serving.
// Runs are bounded so the file stays well under 20 s.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { BuiltApp } from '../../../src/http/app.js'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../../helpers/test-app.js'
import { assertErrorShape, assertRefusalPage, assertSecurityHeaders, routeCases, send, TIKTOK, UNKNOWN_CODE, UNKNOWN_ID, type Answer } from './helpers.js'

const RUNS = 400

/** Printable ASCII, the characters a real HTTP parser lets through in a header value. */
const headerText = (maxLength = 80) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength })

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/vnd.api+json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'application/octet-stream',
  ),
  headerText(40),
)

const bodies = fc.oneof(
  fc.json(),
  fc.string(),
  fc.anything().map((value) => JSON.stringify(value) ?? ''),
  fc
    .record(
      {
        url: fc.oneof(fc.string(), fc.webUrl(), fc.constant(TIKTOK), fc.constant('--exec=id'), fc.integer()),
        client_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        timestamp: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
)

/** The invariant every answer must keep; a page route may refuse with its HTML page instead of JSON. */
function assertSane(answer: Answer, context: string, page = false): 'page' | 'other' {
  assert.ok(answer.statusCode < 500, `${context}: ${answer.statusCode} ${answer.body.slice(0, 200)}`)
  assertSecurityHeaders(answer, context)
  if (answer.statusCode < 400 || answer.body === '') return 'other'
  if (page && String(answer.headers['content-type']).startsWith('text/html')) {
    assertRefusalPage(answer, context)
    return 'page'
  }
  assertErrorShape(answer, context)
  return 'other'
}

async function assertStillServing(app: BuiltApp): Promise<void> {
  assert.equal((await send(app, { method: 'GET', url: '/api/v1/history?limit=1', headers: auth })).statusCode, 200)
}

test('random bodies and content types on POST /api/v1/download', async (t) => {
  const { app } = await buildTestApp(t, { config: { security: { rate_limit_per_hour: 0 } } })
  await fc.assert(
    fc.asyncProperty(bodies, contentTypes, async (payload, contentType) => {
      const answer = await send(app, { method: 'POST', url: '/api/v1/download', headers: { ...auth, 'content-type': contentType }, payload })
      assertSane(answer, `${contentType} ${payload.slice(0, 80)}`)
    }),
    { numRuns: RUNS },
  )
  await assertStillServing(app)
})

test('random X-API-Key, Authorization, Idempotency-Key and addresses', async (t) => {
  const { app } = await buildTestApp(t)
  const headers = fc.record(
    {
      'x-api-key': fc.oneof(headerText(), fc.constant(ADMIN_KEY), fc.constant(`${ADMIN_KEY} `)),
      authorization: fc.oneof(headerText(), headerText().map((key) => `Bearer ${key}`)),
      'idempotency-key': headerText(300),
      'x-request-id': headerText(200),
      'content-type': contentTypes,
    },
    { requiredKeys: [] },
  )
  await fc.assert(
    fc.asyncProperty(headers, fc.ipV4(), fc.integer({ min: 0, max: 50 }), async (given, remoteAddress, n) => {
      const answer = await send(app, {
        method: 'POST',
        url: '/api/v1/download',
        headers: given,
        remoteAddress,
        payload: JSON.stringify({ url: `${TIKTOK.slice(0, -2)}${n}` }),
      })
      assertSane(answer, JSON.stringify(given))
    }),
    { numRuns: RUNS },
  )
  await assertStillServing(app)
})

test('random methods, path segments and query strings on every route', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const routes = routeCases(app).cases
  const segments = fc.oneof(
    fc.string().map(encodeURIComponent),
    fc.constantFrom('%', '%E0%A4%A', '%00', '%0d%0a', '..', '%2e%2e%2f', '..%2f..%2fetc%2fpasswd', 'x'.repeat(300), UNKNOWN_ID.toUpperCase()),
  )
  const queries = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 })).map((params) => new URLSearchParams(params).toString()),
    fc.constantFrom('limit=0', 'limit=1e3', 'limit=-1', 'offset=1.5', 'status=__proto__', '__proto__[x]=1', 'q=%00', 'delete_file=yes', 'a=1&a=2', '%'),
  )
  const methods = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') as fc.Arbitrary<'GET'>
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), methods, segments, queries, fc.boolean(), async (route, method, segment, query, withKey) => {
      const url = `${route.url.replace(UNKNOWN_ID, segment).replace(UNKNOWN_CODE, segment)}?${query}`
      const answer = await send(app, { method, url, headers: withKey ? auth : {}, remoteAddress: '192.0.2.1' })
      assertSane(answer, `${method} ${url.slice(0, 120)}`, route.page === true)
    }),
    { numRuns: RUNS * 2 },
  )
  await assertStillServing(app)
})

test('random codes on the pairing page: a 404/410 page that says why, never a 5xx or JSON', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const codes = fc.oneof(
    fc.string().map(encodeURIComponent),
    fc.stringMatching(/^[A-Za-z0-9_-]{20,40}$/),
    fc.constantFrom('%', '%00', '..', '%2e%2e%2f', 'x'.repeat(300)),
  )
  let pages = 0
  await fc.assert(
    // A fresh address per run: five wrong codes from one address are a 429 (JSON), tested with pairing.
    fc.asyncProperty(codes, fc.ipV4(), async (code, remoteAddress) => {
      const answer = await send(app, { method: 'GET', url: `/pair/${code}`, remoteAddress })
      if (assertSane(answer, `GET /pair/${code.slice(0, 80)}`, true) === 'page') pages++
    }),
    { numRuns: RUNS / 4 },
  )
  assert.ok(pages >= RUNS / 8, `${pages} refusal pages checked`)
  await assertStillServing(app)
})
