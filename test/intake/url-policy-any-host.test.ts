// allowed_domains "*": any public host, judged by a fake resolver (no DNS query ever leaves the
// machine), so private, local and reserved addresses are refused however they are spelled.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkSubmittedUrl,
  type UrlPolicy,
  type UrlRejectionCode,
} from '../../src/intake/url-policy.js'
import { outcome, rejection } from './url-policy-fixtures.js'

describe('checkSubmittedUrl with "*"', () => {
  const dns: Record<string, string[]> = {
    'cdn.example': ['93.184.216.34'],
    'v6.example': ['2606:4700::6810:84e5'],
    'both.example': ['93.184.216.34', '2606:4700::6810:84e5'],
    'private.example': ['10.0.0.5'],
    'half-private.example': ['93.184.216.34', '192.168.1.20'],
    'loopback.example': ['127.0.0.1'],
    'loopback6.example': ['::1'],
    'mapped.example': ['::ffff:127.0.0.1'],
    'ula.example': ['fd00::5'],
    'linklocal.example': ['fe80::1'],
    'metadata.example': ['169.254.169.254'],
    'cgnat.example': ['100.100.100.100'],
    'zero.example': ['0.0.0.0'],
    'multicast.example': ['224.0.0.1'],
    'broadcast.example': ['255.255.255.255'],
    'docs.example': ['192.0.2.10'],
    'nat64-private.example': ['64:ff9b::a00:1'],
    'garbage.example': ['not-an-ip'],
    'nas.lan': ['192.168.1.10'],
  }
  const lookups: string[] = []
  const fakeResolve = async (host: string): Promise<string[]> => {
    lookups.push(host)
    const addresses = dns[host]
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return addresses
  }
  const anyPublic: UrlPolicy = { allowedDomains: ['*'], maxLength: 2048, resolve: fakeResolve }

  const cases: ReadonlyArray<readonly [input: string, expected: UrlRejectionCode | 'ok']> = [
    ['https://cdn.example/video.mp4', 'ok'],
    ['https://v6.example/video.mp4', 'ok'],
    ['https://both.example/video.mp4', 'ok'],
    ['https://CDN.Example./video.mp4', 'ok'],
    ['http://8.8.8.8/v.mp4', 'ok'],
    ['http://[2606:4700::1]:8080/v.mp4', 'ok'],
    ['https://private.example/', 'unsupported_site'],
    ['https://half-private.example/', 'unsupported_site'], // every address must be public
    ['https://loopback.example/', 'unsupported_site'],
    ['https://loopback6.example/', 'unsupported_site'],
    ['https://mapped.example/', 'unsupported_site'],
    ['https://ula.example/', 'unsupported_site'],
    ['https://linklocal.example/', 'unsupported_site'],
    ['https://metadata.example/', 'unsupported_site'],
    ['https://cgnat.example/', 'unsupported_site'],
    ['https://zero.example/', 'unsupported_site'],
    ['https://multicast.example/', 'unsupported_site'],
    ['https://broadcast.example/', 'unsupported_site'],
    ['https://docs.example/', 'unsupported_site'],
    ['https://nat64-private.example/', 'unsupported_site'],
    ['https://garbage.example/', 'unsupported_site'],
    ['https://does-not-exist.example/', 'unsupported_site'],
    ['http://127.0.0.1/', 'unsupported_site'],
    ['http://127.1/', 'unsupported_site'],
    ['http://0x7f.0.0.1/', 'unsupported_site'],
    ['http://2130706433/', 'unsupported_site'], // 127.0.0.1 as one number
    ['http://0/', 'unsupported_site'],
    ['http://[::1]/', 'unsupported_site'],
    ['http://[::ffff:127.0.0.1]/', 'unsupported_site'],
    ['http://[::ffff:a00:1]/', 'unsupported_site'],
    ['http://10.0.0.1/', 'unsupported_site'],
    ['http://169.254.169.254/latest/meta-data/', 'unsupported_site'],
    // everything else still applies under "*"
    ['https://user@cdn.example/', 'invalid_url'],
    ['file:///etc/passwd', 'invalid_url'],
    ['--exec=rm', 'invalid_url'],
  ]
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, async () => assert.equal(await outcome(input, anyPublic), expected))
  }

  it('asks the resolver for the canonical host and not at all for IP literals', async () => {
    lookups.length = 0
    await checkSubmittedUrl('https://CDN.Example./video.mp4', anyPublic)
    await checkSubmittedUrl('http://8.8.8.8/v.mp4', anyPublic)
    assert.deepEqual(lookups, ['cdn.example'])
  })

  it('says which address was refused and how to allow the host', async () => {
    const error = await rejection('https://half-private.example/', anyPublic)
    assert.match(error.message, /resolves to 192\.168\.1\.20/)
    assert.match(error.message, /add "half-private\.example" to the list/)
  })

  it('says when a host does not resolve', async () => {
    const error = await rejection('https://does-not-exist.example/', anyPublic)
    assert.equal(error.message, 'Host "does-not-exist.example" could not be resolved (ENOTFOUND); check the link')
  })

  it('turns a resolver with no answer, a throwing resolver and a hanging resolver into unsupported_site', async () => {
    const withResolver = (resolve: (host: string) => Promise<string[]>): UrlPolicy => ({
      ...anyPublic,
      resolve,
      resolveTimeoutMs: 20,
    })
    const url = 'https://cdn.example/'
    assert.equal(await outcome(url, withResolver(async () => [])), 'unsupported_site')
    assert.equal(
      await outcome(
        url,
        withResolver(() => {
          throw new TypeError('resolver bug')
        }),
      ),
      'unsupported_site',
    )
    assert.equal(await outcome(url, withResolver(() => Promise.reject(null))), 'unsupported_site')
    const started = Date.now()
    const error = await rejection(url, withResolver(() => new Promise<string[]>(() => {})))
    assert.match(error.message, /no answer within 20 ms/)
    assert.ok(Date.now() - started < 1000)
  })

  it('lets explicit entries allow LAN hosts without asking DNS', async () => {
    const lanAndPublic: UrlPolicy = {
      allowedDomains: ['*', 'nas.lan', '192.168.1.11'],
      maxLength: 2048,
      resolve: fakeResolve,
    }
    lookups.length = 0
    assert.equal(await outcome('http://nas.lan:8080/video.mp4', lanAndPublic), 'ok')
    assert.equal(await outcome('http://media.nas.lan/video.mp4', lanAndPublic), 'ok')
    assert.equal(await outcome('http://192.168.1.11/video.mp4', lanAndPublic), 'ok')
    assert.deepEqual(lookups, [])
    assert.equal(await outcome('http://192.168.1.12/video.mp4', lanAndPublic), 'unsupported_site')
    assert.equal(await outcome('https://private.example/', lanAndPublic), 'unsupported_site')
    assert.equal(await outcome('https://cdn.example/', lanAndPublic), 'ok')
  })
})
