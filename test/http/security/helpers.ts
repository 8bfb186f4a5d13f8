// Shared by the security tests: every route of SPEC §2 with its access level, a request helper that
// also copes with the event stream, the error-shape check, and stored keys made as the CLI makes them.
import assert from 'node:assert/strict'
import type { InjectOptions } from 'fastify'
import { createStoredApiKey } from '../../../src/keys/key-verifier.js'
import type { Config } from '../../../src/core/config.js'
import { createApiKeysRepository } from '../../../src/db/api-keys-repository.js'
import { openDatabase } from '../../../src/db/open.js'
import type { BuiltApp } from '../../../src/http/app.js'
import type { Access } from '../../../src/http/plugins/auth.js'
import type { KeyScope } from '../../../src/core/types.js'

export const TIKTOK = 'https://www.tiktok.com/@someone/video/7300000000000000001'
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

/** One route of SPEC §2. `pattern` is how it is registered, `url` a concrete request to it. */
export interface RouteCase {
  method: 'GET' | 'POST' | 'DELETE'
  pattern: string
  url: string
  access: Access
  /** part of the core API: the route must exist (others are checked once they are registered) */
  core?: boolean
  payload?: object
}

/** Every route SPEC §2 and §5 name (and the web UI's page), with the access the contract gives it. */
export const SPEC_ROUTES: readonly RouteCase[] = [
  { method: 'POST', pattern: '/api/v1/download', url: '/api/v1/download', access: 'submit', core: true, payload: { url: TIKTOK } },
  { method: 'GET', pattern: '/api/v1/status/:download_id', url: `/api/v1/status/${UNKNOWN_ID}`, access: 'submit', core: true },
  { method: 'GET', pattern: '/api/v1/history', url: '/api/v1/history', access: 'submit', core: true },
  { method: 'GET', pattern: '/api/v1/health', url: '/api/v1/health', access: 'public', core: true },
  { method: 'GET', pattern: '/api/v1/downloads/:download_id/file', url: `/api/v1/downloads/${UNKNOWN_ID}/file`, access: 'submit' },
  { method: 'POST', pattern: '/api/v1/downloads/:download_id/retry', url: `/api/v1/downloads/${UNKNOWN_ID}/retry`, access: 'admin' },
  { method: 'POST', pattern: '/api/v1/downloads/:download_id/cancel', url: `/api/v1/downloads/${UNKNOWN_ID}/cancel`, access: 'admin' },
  { method: 'DELETE', pattern: '/api/v1/downloads/:download_id', url: `/api/v1/downloads/${UNKNOWN_ID}`, access: 'admin' },
  { method: 'GET', pattern: '/api/v1/events', url: '/api/v1/events', access: 'submit' },
  { method: 'GET', pattern: '/metrics', url: '/metrics', access: 'admin' },
  { method: 'GET', pattern: '/openapi.json', url: '/openapi.json', access: 'public' },
  { method: 'GET', pattern: '/ca.crt', url: '/ca.crt', access: 'public' },
  { method: 'GET', pattern: '/ca.mobileconfig', url: '/ca.mobileconfig', access: 'public' },
  { method: 'GET', pattern: '/docs', url: '/docs', access: 'public' },
  { method: 'GET', pattern: '/', url: '/', access: 'public' },
]

/** Whether the app registered the route (routes of other work in progress may not be there yet). */
export const routeExists = (app: BuiltApp, route: RouteCase) => app.hasRoute({ method: route.method, url: route.pattern })

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
  const db = openDatabase(config.storage.data_dir)
  try {
    const repo = createApiKeysRepository(db)
    const key = createStoredApiKey(repo, name, scope)
    assert.ok(key, `key name ${name} is free`)
    if (options.revoke) repo.revoke(name)
    return key
  } finally {
    db.close()
  }
}
