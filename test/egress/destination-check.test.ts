// The destination check on its own: what allowed_domains opens, and that a host that is not a
// host never reaches DNS.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkDestination, type ResolveHost } from '../../src/egress/destination-check.js'

const resolverOf = (answers: Record<string, string[]>, asked: string[] = []): ResolveHost => async (host) => {
  asked.push(host)
  const addresses = answers[host]
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

describe('checkDestination', () => {
  test('public addresses pass whatever allowed_domains says (CDNs are not listed)', async () => {
    const verdict = await checkDestination('cdn.example', { allowedDomains: ['tiktok.com'], resolve: resolverOf({ 'cdn.example': ['93.184.216.34', '2606:2800:220:1::1'] }) })
    assert.deepEqual(verdict, { ok: true, addresses: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }] })
  })

  test('a listed domain opens its subdomains whatever they resolve to; an unlisted look-alike does not', async () => {
    const resolve = resolverOf({ 'nas.home.lan': ['192.168.1.10'], 'nas.home.lan.evil.example': ['192.168.1.10'] })
    assert.equal((await checkDestination('nas.home.lan', { allowedDomains: ['home.lan'], resolve })).ok, true)
    const evil = await checkDestination('nas.home.lan.evil.example', { allowedDomains: ['home.lan'], resolve })
    assert.deepEqual(evil, { ok: false, refusal: { host: 'nas.home.lan.evil.example', address: '192.168.1.10', kind: 'private' } })
  })

  test('a listed address opens exactly that address, in any spelling', async () => {
    const resolve = resolverOf({ 'a.example': ['127.0.0.2'], 'b.example': ['127.0.0.3'] })
    assert.equal((await checkDestination('a.example', { allowedDomains: ['127.0.0.2'], resolve })).ok, true)
    assert.equal((await checkDestination('b.example', { allowedDomains: ['127.0.0.2'], resolve })).ok, false)
    assert.equal((await checkDestination('[0:0::1]', { allowedDomains: ['::1'] })).ok, true)
    assert.equal((await checkDestination('::ffff:127.0.0.2', { allowedDomains: [] })).ok, false)
  })

  test('no answer or no host: why, and garbage never reaches the resolver', async () => {
    const asked: string[] = []
    const resolve = resolverOf({}, asked)
    assert.deepEqual(await checkDestination('gone.example', { allowedDomains: ['*'], resolve }), { ok: false, unresolved: 'ENOTFOUND' })
    const bad = await checkDestination('a b@c', { allowedDomains: ['*'], resolve })
    assert.equal(bad.ok, false)
    assert.deepEqual(asked, ['gone.example'])
  })
})
