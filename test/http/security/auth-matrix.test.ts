// Every route the app registers × every kind of caller. The routes come from the app itself, so a
// new route is in the matrix the moment it exists (and the test fails until the contract's table in
// helpers.ts says who may call it); every route of that table must be registered.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ADMIN_KEY, buildTestApp } from '../../helpers/test-app.js'
import type { BuiltApp } from '../../../src/http/app.js'
import type { Config } from '../../../src/core/config.js'
import { addKeyFromAnotherProcess, assertErrorShape, revokeKeyFromAnotherProcess, routeCases, send, type RouteCase } from './helpers.js'

const SESSION_HOST = 'vds.test:8443'

/** The `name=value` of a session cookie signed in with `key`. */
async function sessionCookie(app: BuiltApp, key: string): Promise<string> {
  const answer = await send(app, { method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ key }) })
  assert.equal(answer.statusCode, 200, answer.body)
  return String(answer.headers['set-cookie']).split(';')[0] ?? ''
}

function revokeFromAnotherProcess(config: Config, name: string): void {
  assert.ok(revokeKeyFromAnotherProcess(config, name))
}

const CALLERS = ['no key', 'wrong key', 'revoked key', 'submit key', 'admin key', 'revoked session', 'submit session', 'admin session'] as const
type Caller = (typeof CALLERS)[number]

/** What the contract promises: 401 without a valid key, 403 for a submit key on admin routes. */
function expectedOutcome(route: RouteCase, caller: Caller): 'unauthorized' | 'forbidden' | 'allowed' {
  if (route.access === 'public') return 'allowed'
  if (caller === 'no key' || caller === 'wrong key' || caller.startsWith('revoked')) return 'unauthorized'
  if (route.access === 'admin' && caller.startsWith('submit')) return 'forbidden'
  return 'allowed'
}

test('auth matrix: every registered route × {no key, wrong key, revoked key, submit key, admin key} × {key, session cookie}', async (t) => {
  const { app, config } = await buildTestApp(t)
  const submitKey = addKeyFromAnotherProcess(config, 'phone', 'submit')
  const laterRevoked = addKeyFromAnotherProcess(config, 'old-laptop', 'submit')
  // Sessions are made before the revocation: revoking the key must end its session.
  const sessions = {
    'revoked session': await sessionCookie(app, laterRevoked),
    'submit session': await sessionCookie(app, submitKey),
    'admin session': await sessionCookie(app, ADMIN_KEY),
  }
  revokeFromAnotherProcess(config, 'old-laptop')
  // The key verifier looks for other processes' changes once per event-loop turn; injected requests
  // can all run in one turn, where real requests (each from a socket) never do.
  await new Promise((resolve) => setImmediate(resolve))
  const keys: Partial<Record<Caller, string>> = {
    'wrong key': 'vds_this-key-was-never-issued-0123456789abcdef',
    'revoked key': addKeyFromAnotherProcess(config, 'old-phone', 'submit', { revoke: true }),
    'submit key': submitKey,
    'admin key': ADMIN_KEY,
  }
  /** A key as X-API-Key; a session as the browser sends it: the cookie and this server's own Origin. */
  const credentials = (caller: Caller): Record<string, string> => {
    const key = keys[caller]
    if (key !== undefined) return { 'x-api-key': key }
    if (caller in sessions) return { cookie: sessions[caller as keyof typeof sessions], host: SESSION_HOST, origin: `http://${SESSION_HOST}` }
    return {}
  }

  const { cases, unlisted, missing } = routeCases(app)
  assert.deepEqual(unlisted, [], 'registered routes the contract table does not list')
  assert.deepEqual(missing, [], 'contract routes the app does not register')
  assert.ok(cases.length >= 30, `${cases.length} routes`)
  let address = 0
  for (const route of cases) {
    for (const caller of CALLERS) {
      const answer = await send(app, {
        method: route.method,
        url: route.url,
        headers: { ...route.headers, ...credentials(caller) },
        ...(route.payload ? { payload: route.payload } : {}),
        // One address per request: the wrong-key slowdown is tested on its own, not here.
        remoteAddress: `192.0.2.${++address}`,
      })
      const context = `${route.method} ${route.url} with ${caller}`
      const expected = expectedOutcome(route, caller)
      if (expected === 'unauthorized') {
        assert.equal(answer.statusCode, 401, context)
        assert.equal(assertErrorShape(answer, context), 'unauthorized')
      } else if (expected === 'forbidden') {
        assert.equal(answer.statusCode, 403, context)
        assert.equal(assertErrorShape(answer, context), 'forbidden')
      } else {
        const ownRefusal = route.ownRefusal !== undefined && answer.statusCode === 403 && assertErrorShape(answer, context) === route.ownRefusal
        assert.ok(ownRefusal || ![401, 403, 429].includes(answer.statusCode), `${context}: got ${answer.statusCode} ${answer.body}`)
        assert.ok(answer.statusCode < 500 || route.pattern === '/api/v1/health', `${context}: got ${answer.statusCode}`)
      }
    }
  }
})

test('a submit key may submit and read what it submitted; its name is the default client_id', async (t) => {
  const { app, config, downloads } = await buildTestApp(t)
  const headers = { 'x-api-key': addKeyFromAnotherProcess(config, 'iphone-anna', 'submit') }
  const created = await send(app, { method: 'POST', url: '/api/v1/download', headers, payload: { url: 'https://vm.tiktok.com/ZMabc123/' } })
  assert.equal(created.statusCode, 201)
  const id = (JSON.parse(created.body) as { download_id: string }).download_id
  assert.equal(downloads.findById(id)?.client_id, 'iphone-anna')
  assert.equal(downloads.findById(id)?.api_key_name, 'iphone-anna')
  const status = await send(app, { method: 'GET', url: `/api/v1/status/${id}`, headers })
  assert.equal(status.statusCode, 200)
  assert.equal((JSON.parse(status.body) as { client_id: string }).client_id, 'iphone-anna')
  const history = await send(app, { method: 'GET', url: '/api/v1/history?client_id=iphone-anna', headers })
  assert.equal((JSON.parse(history.body) as { total: number }).total, 1)
})

test('Authorization: Bearer is checked like X-API-Key; a malformed header is 401, never a crash', async (t) => {
  const { app } = await buildTestApp(t)
  const ok = await send(app, { method: 'GET', url: '/api/v1/history', headers: { authorization: `bearer ${ADMIN_KEY}` } })
  assert.equal(ok.statusCode, 200)
  for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${ADMIN_KEY} extra`, `Token ${ADMIN_KEY}`]) {
    const answer = await send(app, { method: 'GET', url: '/api/v1/history', headers: { authorization }, remoteAddress: '192.0.2.200' })
    assert.equal(answer.statusCode, 401, authorization)
    assertErrorShape(answer, authorization)
  }
})
