// The web UI's session cookie (SPEC §2): signing in with a key, the cookie's attributes, the Origin
// rule for cookie-authenticated requests, expiry, signing out, and revocation of the key.
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { SESSION_COOKIE, SESSION_SECRET_FILE } from '../../src/sessions/session-tokens.js'
import { ADMIN_KEY, buildTestApp } from '../helpers/test-app.js'
import { addKeyFromAnotherProcess, assertErrorShape, revokeKeyFromAnotherProcess, send, TIKTOK } from './security/helpers.js'

const HOST = 'vds.test:8443'
const OWN = 'http://vds.test:8443'
const FOREIGN = 'https://evil.example'

type App = Awaited<ReturnType<typeof buildTestApp>>['app']

/** Signs in and returns the cookie pair to send back (`name=value`) and the raw Set-Cookie header. */
async function signIn(app: App, key: string, origin: string | undefined = OWN) {
  const answer = await send(app, {
    method: 'POST',
    url: '/api/v1/session',
    headers: { host: HOST, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    payload: JSON.stringify({ key }),
  })
  const setCookie = String(answer.headers['set-cookie'] ?? '')
  return { answer, setCookie, cookie: setCookie.split(';')[0] ?? '' }
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ host: HOST, cookie, ...extra })

test('signing in sets an HttpOnly, Secure, SameSite=Strict cookie for session_ttl_days; the secret file is 0600', async (t) => {
  const { app, config } = await buildTestApp(t, { config: { security: { session_ttl_days: 2 } } })
  const { answer, setCookie, cookie } = await signIn(app, ADMIN_KEY)
  assert.equal(answer.statusCode, 200, answer.body)
  const body = JSON.parse(answer.body) as { name: string; scope: string; expires_at: string }
  assert.equal(body.name, 'test-admin')
  assert.equal(body.scope, 'admin')
  const ttl = Date.parse(body.expires_at) - Date.now()
  assert.ok(Math.abs(ttl - 2 * 86_400_000) < 5_000, `expires in ${ttl} ms`)
  assert.ok(cookie.startsWith(`${SESSION_COOKIE}=`), setCookie)
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/', `Max-Age=${2 * 86_400}`]) {
    assert.ok(setCookie.split('; ').includes(attribute), `${attribute} in ${setCookie}`)
  }
  assert.doesNotMatch(setCookie, new RegExp(ADMIN_KEY), 'the key itself is not in the cookie')
  assert.equal(answer.headers['cache-control'], 'no-store')
  assert.equal(statSync(path.join(config.storage.data_dir, SESSION_SECRET_FILE)).mode & 0o777, 0o600)

  const who = await send(app, { method: 'GET', url: '/api/v1/session', headers: withCookie(cookie) })
  assert.deepEqual(JSON.parse(who.body), { name: 'test-admin', scope: 'admin' })
})

test('a wrong key is 401 and counts against the address like a wrong X-API-Key; no cookie is set', async (t) => {
  const { app } = await buildTestApp(t)
  const { answer, setCookie } = await signIn(app, 'vds_never-issued-0123456789abcdef')
  assert.equal(answer.statusCode, 401)
  assert.equal(assertErrorShape(answer), 'unauthorized')
  assert.equal(setCookie, '')
  let last = answer
  for (let i = 0; i < 12 && last.statusCode !== 429; i++) last = (await signIn(app, `wrong-${i}`)).answer
  assert.equal(last.statusCode, 429, 'repeated wrong keys are refused for a while')
  assert.equal(assertErrorShape(last), 'too_many_auth_failures')
})

test('the cookie authenticates reads with no Origin or the own one; a foreign Origin is 403 foreign_origin', async (t) => {
  const { app, config } = await buildTestApp(t, { config: { server: { public_url: 'https://videos.example.net' } } })
  const { cookie } = await signIn(app, ADMIN_KEY)
  for (const origin of [undefined, OWN, 'https://videos.example.net']) {
    const answer = await send(app, { method: 'GET', url: '/api/v1/history', headers: withCookie(cookie, origin ? { origin } : {}) })
    assert.equal(answer.statusCode, 200, `Origin ${origin}: ${answer.body}`)
  }
  for (const origin of [FOREIGN, 'null', 'http://vds.test:8444', 'https://vds.test.evil.example:8443']) {
    const answer = await send(app, { method: 'GET', url: '/api/v1/history', headers: withCookie(cookie, { origin }) })
    assert.equal(answer.statusCode, 403, `Origin ${origin}`)
    assert.equal(assertErrorShape(answer), 'foreign_origin')
  }
  assert.equal(config.server.public_url, 'https://videos.example.net')
})

test('a state-changing request with the cookie needs the own Origin: foreign or none is 403, own is accepted', async (t) => {
  const { app, downloads } = await buildTestApp(t)
  const { cookie } = await signIn(app, ADMIN_KEY)
  const submit = (headers: Record<string, string>) =>
    send(app, { method: 'POST', url: '/api/v1/download', headers: withCookie(cookie, { 'content-type': 'application/json', ...headers }), payload: JSON.stringify({ url: TIKTOK }) })
  for (const headers of [{ origin: FOREIGN }, {}] as Array<Record<string, string>>) {
    const refused = await submit(headers)
    assert.equal(refused.statusCode, 403, JSON.stringify(headers))
    assert.equal(assertErrorShape(refused), 'foreign_origin')
  }
  assert.deepEqual(downloads.countsByStatus().pending, 0, 'nothing was queued by the refused requests')
  const accepted = await submit({ origin: OWN })
  assert.equal(accepted.statusCode, 201, accepted.body)
  // A key, when sent, wins: key-authenticated requests need no Origin (Shortcuts, curl).
  const keyed = await send(app, {
    method: 'POST',
    url: '/api/v1/download',
    headers: { 'x-api-key': ADMIN_KEY, origin: FOREIGN, 'content-type': 'application/json' },
    payload: JSON.stringify({ url: `${TIKTOK.slice(0, -1)}2` }),
  })
  assert.equal(keyed.statusCode, 201, keyed.body)
  // Another site cannot sign the browser in (to the attacker's key) or out.
  assert.equal((await signIn(app, ADMIN_KEY, FOREIGN)).answer.statusCode, 403)
  assert.equal((await send(app, { method: 'DELETE', url: '/api/v1/session', headers: withCookie(cookie, { origin: FOREIGN }) })).statusCode, 403)
})

test('no cookie, an altered cookie or an expired one is 401', async (t) => {
  let clock = Date.now()
  const { app } = await buildTestApp(t, { now: () => clock, config: { security: { session_ttl_days: 1 } } })
  const { cookie } = await signIn(app, ADMIN_KEY)
  const history = (headers: Record<string, string>) => send(app, { method: 'GET', url: '/api/v1/history', headers: { host: HOST, ...headers } })
  assert.equal((await history({})).statusCode, 401)
  const altered = cookie.replace(/\.admin\./, '.submit.')
  assert.notEqual(altered, cookie)
  assert.equal((await history({ cookie: altered })).statusCode, 401)
  assert.equal((await history({ cookie: `${cookie.slice(0, -2)}xx` })).statusCode, 401)
  assert.equal((await history({ cookie })).statusCode, 200)
  clock += 86_400_000 + 1_000
  const expired = await history({ cookie })
  assert.equal(expired.statusCode, 401)
  assert.equal(assertErrorShape(expired), 'unauthorized')
  assert.match(expired.body, /session has ended/)
})

test('signing out clears the cookie with the same attributes', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie } = await signIn(app, ADMIN_KEY)
  const out = await send(app, { method: 'DELETE', url: '/api/v1/session', headers: withCookie(cookie, { origin: OWN }) })
  assert.equal(out.statusCode, 204)
  const cleared = String(out.headers['set-cookie'])
  assert.ok(cleared.startsWith(`${SESSION_COOKIE}=;`), cleared)
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cleared.split('; ').includes(attribute), cleared)
  assert.match(cleared, /Expires=Thu, 01 Jan 1970/)
})

test('revoking the key ends its sessions at once, also when revoked by another process', async (t) => {
  const { app, config } = await buildTestApp(t)
  const phoneKey = addKeyFromAnotherProcess(config, 'phone', 'submit')
  const { cookie, answer } = await signIn(app, phoneKey)
  assert.equal(JSON.parse(answer.body).scope, 'submit')
  assert.equal((await send(app, { method: 'GET', url: '/api/v1/history', headers: withCookie(cookie) })).statusCode, 200)
  // A submit session is still a submit caller.
  assert.equal((await send(app, { method: 'GET', url: '/metrics', headers: withCookie(cookie) })).statusCode, 403)
  assert.ok(revokeKeyFromAnotherProcess(config, 'phone'))
  // The key verifier looks for other processes' changes once per event-loop turn; injected requests
  // can all run in one turn, where real requests (each from a socket) never do.
  await new Promise((resolve) => setImmediate(resolve))
  const after = await send(app, { method: 'GET', url: '/api/v1/history', headers: withCookie(cookie) })
  assert.equal(after.statusCode, 401)
})
