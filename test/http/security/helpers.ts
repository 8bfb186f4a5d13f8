// Shared by the security tests: every route the app registers with the access SPEC §2 gives it, a request helper that
// also copes with the event stream, the error-shape check, and stored keys made as the CLI makes them.
import assert from 'node:assert/strict'
import type { InjectOptions } from 'fastify'
import { generateApiKey, hashApiKey } from '../../../src/keys/key-verifier.js'
import type { Config } from '../../../src/core/config.js'
import { createKeyWrites } from '../../../src/db/key-writes.js'
import { openDatabase } from '../../../src/db/open.js'
import { registeredRoutes, type BuiltApp } from '../../../src/http/app.js'
import type { Access } from '../../../src/http/plugins/auth.js'
import type { KeyScope } from '../../../src/core/types.js'

export const TIKTOK = 'https://www.tiktok.com/@someone/video/7300000000000000001'
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

/** One route of SPEC §2. `pattern` is how it is registered, `url` a concrete request to it. */
export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  pattern: string
  url: string
  access: Access
  payload?: object | string
  headers?: Record<string, string>
  /** an error code that still shows the route was reached (a signed link's own refusal) */
  ownRefusal?: string
  /** a page for people: its own refusals (a code that is unknown or used up) are HTML pages, not JSON */
  page?: true
}

export const UNKNOWN_CODE = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/**
 * Every route SPEC §2, §5 and §6 name, with the access the contract gives it. The security tests
 * check that this is exactly what the app registers (see routeCases), so a new route cannot be
 * added without saying who may call it.
 */
export const SPEC_ROUTES: readonly RouteCase[] = [
  { method: 'POST', pattern: '/api/v1/download', url: '/api/v1/download', access: 'submit', payload: { url: TIKTOK } },
  { method: 'GET', pattern: '/api/v1/status/:download_id', url: `/api/v1/status/${UNKNOWN_ID}`, access: 'submit' },
  { method: 'GET', pattern: '/api/v1/history', url: '/api/v1/history', access: 'submit' },
  { method: 'GET', pattern: '/api/v1/health', url: '/api/v1/health', access: 'public' },
  { method: 'GET', pattern: '/api/v1/downloads/:download_id/file', url: `/api/v1/downloads/${UNKNOWN_ID}/file`, access: 'submit' },
  { method: 'GET', pattern: '/api/v1/downloads/:download_id/files/:index', url: `/api/v1/downloads/${UNKNOWN_ID}/files/1`, access: 'submit' },
  { method: 'GET', pattern: '/api/v1/links/:download_id/:index', url: `/api/v1/links/${UNKNOWN_ID}/0?k=x&exp=1&sig=x`, access: 'public', ownRefusal: 'invalid_file_link' },
  { method: 'POST', pattern: '/api/v1/downloads/:download_id/retry', url: `/api/v1/downloads/${UNKNOWN_ID}/retry`, access: 'admin' },
  { method: 'POST', pattern: '/api/v1/downloads/:download_id/cancel', url: `/api/v1/downloads/${UNKNOWN_ID}/cancel`, access: 'admin' },
  { method: 'DELETE', pattern: '/api/v1/downloads/:download_id', url: `/api/v1/downloads/${UNKNOWN_ID}`, access: 'admin' },
  { method: 'POST', pattern: '/api/v1/session', url: '/api/v1/session', access: 'public', payload: { key: 'test-admin-key-0123456789abcdef' } },
  { method: 'GET', pattern: '/api/v1/session', url: '/api/v1/session', access: 'submit' },
  { method: 'DELETE', pattern: '/api/v1/session', url: '/api/v1/session', access: 'public' },
  { method: 'GET', pattern: '/api/v1/events', url: '/api/v1/events', access: 'submit' },
  { method: 'GET', pattern: '/api/v1/push/public-key', url: '/api/v1/push/public-key', access: 'submit' },
  { method: 'POST', pattern: '/api/v1/push/subscriptions', url: '/api/v1/push/subscriptions', access: 'submit', payload: { endpoint: 'https://push.example/x', keys: { p256dh: 'x', auth: 'x' } } },
  { method: 'DELETE', pattern: '/api/v1/push/subscriptions', url: '/api/v1/push/subscriptions', access: 'submit', payload: { endpoint: 'https://push.example/x' } },
  { method: 'POST', pattern: '/api/v1/pairings', url: '/api/v1/pairings', access: 'admin', payload: { name: 'matrix-phone' } },
  { method: 'POST', pattern: '/api/v1/pairings/:code/claim', url: `/api/v1/pairings/${UNKNOWN_CODE}/claim`, access: 'public' },
  { method: 'GET', pattern: '/pair/:code', url: `/pair/${UNKNOWN_CODE}`, access: 'public', page: true },
  { method: 'GET', pattern: '/pair/:code/shortcuts/:file', url: `/pair/${UNKNOWN_CODE}/shortcuts/download-video.shortcut`, access: 'public' },
  { method: 'PUT', pattern: '/api/v1/cookies/:site', url: '/api/v1/cookies/example.com', access: 'admin', payload: '# Netscape HTTP Cookie File\n', headers: { 'content-type': 'text/plain' } },
  { method: 'GET', pattern: '/api/v1/cookies', url: '/api/v1/cookies', access: 'admin' },
  { method: 'GET', pattern: '/api/v1/cookies/:site', url: '/api/v1/cookies/example.com', access: 'admin' },
  { method: 'DELETE', pattern: '/api/v1/cookies/:site', url: '/api/v1/cookies/example.com', access: 'admin' },
  { method: 'GET', pattern: '/api/v1/tools', url: '/api/v1/tools', access: 'admin' },
  { method: 'POST', pattern: '/api/v1/tools/update', url: '/api/v1/tools/update', access: 'admin' },
  { method: 'GET', pattern: '/metrics', url: '/metrics', access: 'admin' },
  { method: 'GET', pattern: '/openapi.json', url: '/openapi.json', access: 'public' },
  { method: 'GET', pattern: '/ca.crt', url: '/ca.crt', access: 'public' },
  { method: 'GET', pattern: '/ca.mobileconfig', url: '/ca.mobileconfig', access: 'public' },
]

/** Routes the contract opens as a group: the web UI's files and the API docs (Swagger UI's own). */
const OPEN_GROUPS = [/^\/docs(\/|$)/, /^\/(assets\/[^*:]+|index\.html|)$/, /^\/[a-z0-9-]+\.(png|ico|webmanifest|json|svg)$/, /^\/sw\.js$/]

/**
 * Every route the app registered, each as a case: the SPEC table above for the API, and the open
 * groups for the web UI's files and the docs. A registered route in neither is returned in
 * `unlisted`; a SPEC route the app does not register, in `missing`.
 */
export function routeCases(app: BuiltApp): { cases: RouteCase[]; unlisted: string[]; missing: string[] } {
  const cases: RouteCase[] = []
  const unlisted: string[] = []
  const registered = new Set<string>()
  for (const { url, methods } of registeredRoutes(app)) {
    for (const method of methods) {
      registered.add(`${method} ${url}`)
      const spec = SPEC_ROUTES.find((route) => route.method === method && route.pattern === url)
      if (spec) cases.push(spec)
      else if (method === 'GET' && OPEN_GROUPS.some((group) => group.test(url))) {
        cases.push({ method: 'GET', pattern: url, url: url.replace(/\*$/, 'index.html'), access: 'public' })
      } else unlisted.push(`${method} ${url}`)
    }
  }
  const missing = SPEC_ROUTES.filter((route) => !registered.has(`${route.method} ${route.pattern}`)).map((route) => `${route.method} ${route.pattern}`)
  return { cases, unlisted, missing }
}

export interface Answer {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  /** the body as text; empty for an event stream, which is closed as soon as its headers arrive */
  body: string
}

/** app.inject that also works on the endless event stream: the stream is read up to its headers. */
export async function send(app: BuiltApp, options: InjectOptions): Promise<Answer> {
  const res = await app.inject({ ...options, payloadAsStream: true })
  const stream = res.stream()
  if (String(res.headers['content-type']).startsWith('text/event-stream')) {
    stream.destroy()
    return { statusCode: res.statusCode, headers: res.headers, body: '' }
  }
  let body = ''
  for await (const chunk of stream) body += chunk
  return { statusCode: res.statusCode, headers: res.headers, body }
}

/** Asserts the error body of SPEC §2 and the X-Request-Id header; returns the error code. */
export function assertErrorShape(answer: Answer, context = ''): string {
  const body = JSON.parse(answer.body) as { success?: unknown; error?: { code?: unknown; message?: unknown }; request_id?: unknown }
  assert.equal(body.success, false, `${context}: success false`)
  assert.match(String(body.error?.code), /^[a-z][a-z0-9_]*$/, `${context}: stable snake_case code`)
  assert.equal(typeof body.error?.message, 'string', `${context}: message`)
  assert.equal(typeof body.request_id, 'string', `${context}: request_id`)
  assert.equal(answer.headers['x-request-id'], body.request_id, `${context}: X-Request-Id matches request_id`)
  return String(body.error?.code)
}

/**
 * A refusal of a page route (SPEC §2 pairing page): a 404/410 HTML page that says why, never the
 * pairing form. Refusals the framework makes before the handler (405, 429) stay JSON errors.
 */
export function assertRefusalPage(answer: Answer, context = ''): void {
  assert.ok([404, 410].includes(answer.statusCode), `${context}: a page refusal is 404 or 410, got ${answer.statusCode}`)
  assert.match(String(answer.headers['content-type']), /^text\/html; charset=utf-8/, `${context}: HTML`)
  assert.match(answer.body, /<h1>This pairing link cannot be used<\/h1>/, `${context}: says the link cannot be used`)
  assert.doesNotMatch(answer.body, /vds_[A-Za-z0-9_-]{20,}/, `${context}: no key on a refusal page`)
}

/** The headers every answer must carry, errors and 404s included. */
export function assertSecurityHeaders(answer: Answer, context = ''): void {
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', `${context}: nosniff`)
  assert.equal(answer.headers['x-frame-options'], 'DENY', `${context}: X-Frame-Options`)
  assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/, `${context}: CSP frame-ancestors`)
  assert.ok(answer.headers['referrer-policy'], `${context}: Referrer-Policy`)
}

/**
 * Adds (and optionally revokes) a key through a second database connection, as `vds keys` in
 * another process does: the running app must notice without being told.
 */
export function addKeyFromAnotherProcess(config: Config, name: string, scope: KeyScope, options: { revoke?: boolean } = {}): string {
  return onAnotherConnection(config, (keys) => {
    const key = generateApiKey()
    assert.ok(keys.add(name, hashApiKey(key).toString('hex'), scope, new Date().toISOString()), `key name ${name} is free`)
    if (options.revoke) keys.revoke(name, new Date().toISOString())
    return key
  })
}

/** Revokes a key through a second database connection, as `vds keys revoke` does; false when there was none to revoke. */
export function revokeKeyFromAnotherProcess(config: Config, name: string): boolean {
  return onAnotherConnection(config, (keys) => keys.revoke(name, new Date().toISOString()))
}

function onAnotherConnection<T>(config: Config, work: (keys: ReturnType<typeof createKeyWrites>) => T): T {
  const db = openDatabase(config.storage.data_dir)
  try {
    return work(createKeyWrites(db))
  } finally {
    db.close()
  }
}
