// Pairing a phone: an admin makes a code, the page opens without using it, the claim gives a working
// key exactly once; used or expired codes are 410, unknown ones 404, and guessing is refused (429).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { auth, buildTestApp } from '../helpers/test-app.js'

async function pair(app: Awaited<ReturnType<typeof buildTestApp>>['app'], name = 'iphone-anna', scope?: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name, ...(scope ? { scope } : {}) } })
  return { res, body: res.json() as { code: string; pair_url: string; expires_at: string; qr_svg: string } }
}

test('pairing: page does not use the code, the claim works once, the key works', async (t) => {
  const { app } = await buildTestApp(t, { config: { server: { public_url: 'https://vds.example:8443' } } })
  const { res, body } = await pair(app)
  assert.equal(res.statusCode, 201, res.body)
  assert.match(body.code, /^[A-Za-z0-9_-]{32}$/, '192 bits, base64url')
  assert.equal(body.pair_url, `https://vds.example:8443/pair/${body.code}`)
  const ttl = Date.parse(body.expires_at) - Date.now()
  assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, `15 minutes: ${ttl}`)
  // The web UI shows it as an image; test/web/phone-pairing.test.ts scans what Chromium draws.
  assert.match(body.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*>.*<\/svg>\s*$/s)

  for (let i = 0; i < 2; i++) {
    const page = await app.inject({ url: `/pair/${body.code}` })
    assert.equal(page.statusCode, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.equal(page.headers['cache-control'], 'no-store')
    assert.match(page.body, /Set up “iphone-anna”/)
    assert.match(page.body, /<script type="module" src="\/assets\/pair.js"><\/script>/)
    assert.doesNotMatch(page.body.replace('<script type="module" src="/assets/pair.js"></script>', ''), /<script/i, 'no inline script')
    assert.match(page.body, /Download Video/)
    assert.match(page.body, /Save to Photos/)
    assert.match(page.body, /https:\/\/vds\.example:8443\/api\/v1\/download/)
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
  }
  const script = await app.inject({ url: '/assets/pair.js' })
  assert.equal(script.statusCode, 200)

  const claim = await app.inject({ method: 'POST', url: `/api/v1/pairings/${body.code}/claim` })
  assert.equal(claim.statusCode, 201, claim.body)
  const claimed = claim.json() as { key: string; name: string; scope: string; server_url: string }
  assert.deepEqual({ name: claimed.name, scope: claimed.scope, server_url: claimed.server_url }, { name: 'iphone-anna', scope: 'submit', server_url: 'https://vds.example:8443' })
  const history = await app.inject({ url: '/api/v1/history?limit=1', headers: { 'x-api-key': claimed.key } })
  assert.equal(history.statusCode, 200, 'the key works at once')
  const adminOnly = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: { 'x-api-key': claimed.key }, payload: { name: 'other' } })
  assert.equal(adminOnly.statusCode, 403, 'making pairings needs an admin key')

  const again = await app.inject({ method: 'POST', url: `/api/v1/pairings/${body.code}/claim` })
  assert.equal(again.statusCode, 410)
  assert.equal(again.json().error.code, 'pairing_expired')
  assert.equal((await app.inject({ url: `/pair/${body.code}` })).statusCode, 410)
  assert.equal((await pair(app)).res.statusCode, 409, 'the name is now a key')
})

test('pairing: expired codes are 410, unknown 404, repeated wrong codes 429; bad names 422; needs a key', async (t) => {
  const { app, db } = await buildTestApp(t)
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/pairings', payload: { name: 'x' } })).statusCode, 401)
  assert.equal((await pair(app, 'bad name')).res.statusCode, 422)
  assert.equal((await pair(app, 'ok', 'root')).res.statusCode, 422)
  const { body } = await pair(app, 'ipad')
  db.prepare('UPDATE pairings SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString())
  const expired = await app.inject({ method: 'POST', url: `/api/v1/pairings/${body.code}/claim` })
  assert.equal(expired.statusCode, 410)

  const statuses: number[] = []
  for (let i = 0; i < 7; i++) {
    const res = await app.inject({ method: 'POST', url: `/api/v1/pairings/${'A'.repeat(31)}${i}/claim` })
    statuses.push(res.statusCode)
  }
  assert.deepEqual(statuses.slice(0, 5), [404, 404, 404, 404, 404])
  assert.equal(statuses.at(-1), 429)
  const blocked = await app.inject({ method: 'POST', url: `/api/v1/pairings/${body.code}/claim` })
  assert.equal(blocked.statusCode, 429, 'while refused, even real codes are not looked at')
  assert.ok(Number(blocked.headers['retry-after']) > 0)
})
