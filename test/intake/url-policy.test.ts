// The URL policy is the gate between the internet and yt-dlp, so it is tested three ways: tables
// of the attacks and share-sheet quirks we know about, "*" mode with a fake resolver (no DNS
// query ever leaves the machine), and property-based tests for the inputs nobody thought of.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  UrlRejection,
  checkSubmittedUrl,
  isHostAllowed,
  isPublicAddress,
  normalizeAllowedEntry,
  normalizeUrl,
  type UrlPolicy,
  type UrlRejectionCode,
} from '../../src/intake/url-policy.js'

const ALLOWED = ['tiktok.com', 'instagram.com', '127.0.0.1', '::1']

/** A resolver that fails the test if it is ever asked: explicit lists must not touch DNS. */
const noDns = async (host: string): Promise<string[]> => assert.fail(`unexpected DNS lookup of ${host}`)

const POLICY: UrlPolicy = { allowedDomains: ALLOWED, maxLength: 2048, resolve: noDns }

/** The rejection code, or 'ok'; anything but a UrlRejection fails the test. */
async function outcome(raw: string, policy: UrlPolicy = POLICY): Promise<UrlRejectionCode | 'ok'> {
  try {
    await checkSubmittedUrl(raw, policy)
    return 'ok'
  } catch (error) {
    assert.ok(error instanceof UrlRejection, `expected a UrlRejection for ${JSON.stringify(raw)}, got ${String(error)}`)
    return error.code
  }
}

async function rejection(raw: string, policy: UrlPolicy = POLICY): Promise<UrlRejection> {
  const error: unknown = await checkSubmittedUrl(raw, policy).then(
    () => assert.fail(`expected ${JSON.stringify(raw)} to be refused`),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof UrlRejection)
  return error
}

const TIKTOK_PREFIX = 'https://www.tiktok.com/'
/** A valid TikTok URL exactly `length` characters long. */
const tiktokUrlOfLength = (length: number) => TIKTOK_PREFIX + 'a'.repeat(length - TIKTOK_PREFIX.length)

describe('checkSubmittedUrl: accept or reject', () => {
  const cases: ReadonlyArray<readonly [input: string, expected: UrlRejectionCode | 'ok']> = [
    // ordinary share links
    ['https://www.tiktok.com/@a/video/1', 'ok'],
    ['https://vm.tiktok.com/ZM123/', 'ok'],
    ['https://vt.tiktok.com/ZS9/', 'ok'],
    ['https://m.tiktok.com/v/1.html', 'ok'],
    ['https://tiktok.com/@a/video/1', 'ok'],
    ['http://www.tiktok.com/@a/video/1', 'ok'],
    ['https://www.instagram.com/reel/ABC/?igsh=xyz', 'ok'],
    ['https://a.b.c.tiktok.com/x', 'ok'],
    ['https://www.tiktok.com', 'ok'],
    ['https://www.tiktok.com?lang=en', 'ok'],
    ['https://www.tiktok.com#top', 'ok'],
    ['https://www.tiktok.com/@user.name/video/1?q=a@b&r=%20x', 'ok'],
    ['https://www.tiktok.com/@a/video/1#frag@evil.net', 'ok'],
    ['https://www.tiktok.com/😀/é', 'ok'],
    // case, trailing dot, ports
    ['HTTPS://VM.TIKTOK.COM/ZM123/', 'ok'],
    ['hTtPs://WwW.TikTok.Com/x', 'ok'],
    ['https://tiktok.com./x', 'ok'],
    ['https://www.tiktok.com:8443/x', 'ok'],
    ['https://www.tiktok.com:443/x', 'ok'],
    ['https://www.tiktok.com:/x', 'ok'],
    ['https://ｔｉｋｔｏｋ.com/x', 'ok'], // full-width letters map to tiktok.com in every parser
    // IP literal entries
    ['http://127.0.0.1:8080/v.mp4', 'ok'],
    ['http://127.1/v.mp4', 'ok'],
    ['http://0x7f.0.0.1/v.mp4', 'ok'],
    ['http://[::1]:8080/', 'ok'],
    ['http://[0:0:0:0:0:0:0:1]/', 'ok'],
    ['http://127.0.0.2/', 'unsupported_site'],
    ['http://[::2]/', 'unsupported_site'],
    ['http://[::ffff:127.0.0.1]/', 'unsupported_site'], // same machine, but not the listed address
    ['http://10.0.0.1/', 'unsupported_site'],
    // look-alikes and hosts hidden elsewhere in the URL
    ['https://evil.net/', 'unsupported_site'],
    ['https://tiktok.com.evil.net/', 'unsupported_site'],
    ['https://eviltiktok.com/', 'unsupported_site'],
    ['https://evil-tiktok.com/', 'unsupported_site'],
    ['https://tiktok.co/', 'unsupported_site'],
    ['https://evil.net/?tiktok.com', 'unsupported_site'],
    ['https://evil.net/tiktok.com', 'unsupported_site'],
    ['https://evil.net#tiktok.com', 'unsupported_site'],
    ['https://evil.net:443#@tiktok.com', 'unsupported_site'],
    ['https://tіktok.com/', 'unsupported_site'], // Cyrillic і: xn--tktok-n2e.com
    ['https://xn--tktok-n2e.com/', 'unsupported_site'],
    ['https://instagram.com.evil.net/reel/1', 'unsupported_site'],
    ['https://com/', 'unsupported_site'],
    // schemes and relative URLs
    ['', 'invalid_url'],
    ['   ', 'invalid_url'],
    ['javascript:alert(1)', 'invalid_url'],
    ['JAVASCRIPT:alert(1)//https://tiktok.com', 'invalid_url'],
    ['file:///etc/passwd', 'invalid_url'],
    ['ftp://tiktok.com/x', 'invalid_url'],
    ['data:text/html,<script>alert(1)</script>', 'invalid_url'],
    ['ws://tiktok.com/x', 'invalid_url'],
    ['tiktok.com/@a/video/1', 'invalid_url'],
    ['www.tiktok.com:443/x', 'invalid_url'],
    ['//tiktok.com/x', 'invalid_url'],
    ['/@a/video/1', 'invalid_url'],
    ['https:tiktok.com/x', 'invalid_url'],
    ['https:/tiktok.com/x', 'invalid_url'],
    ['https:///tiktok.com/x', 'invalid_url'],
    ['https://', 'invalid_url'],
    ['https://:8080/x', 'invalid_url'],
    ['https://?x', 'invalid_url'],
    // option injection into yt-dlp
    ['--exec=rm', 'invalid_url'],
    ['-o/etc/passwd', 'invalid_url'],
    ['--', 'invalid_url'],
    [' -https://www.tiktok.com/x', 'invalid_url'],
    // control characters and whitespace inside
    ['https://www.tiktok.com/x\r\nX-Injected: 1', 'invalid_url'],
    ['https://tik\ttok.com/x', 'invalid_url'], // WHATWG alone would drop the tab and see tiktok.com
    ['https://tik\ntok.com/x', 'invalid_url'],
    ['https://www.tiktok.com/x\0', 'invalid_url'],
    ['https://www.tiktok.com/x\x7f', 'invalid_url'],
    ['https://www.tiktok.com/x\x80', 'invalid_url'],
    ['https://www.tiktok.com/x\u0085', 'invalid_url'],
    ['https://www.tiktok.com/x\u009f', 'invalid_url'],
    ['https://www.tiktok.com/a b', 'invalid_url'],
    ['https://www.tiktok.com/a\u00a0b', 'invalid_url'],
    ['https://www.tiktok.com/a\u3000b', 'invalid_url'],
    ['https://www.tiktok.com/a\u2028b', 'invalid_url'],
    ['https://tiktok\u200b.com/', 'invalid_url'],
    ['https://www.tiktok.com/\u202etxt.exe', 'invalid_url'],
    ['https://www.tiktok.com/\ud800', 'invalid_url'],
    // user info
    ['https://user@tiktok.com/x', 'invalid_url'],
    ['https://user:pass@tiktok.com/x', 'invalid_url'],
    ['https://user@tiktok.com@evil.net/', 'invalid_url'],
    ['https://tiktok.com@evil.net/', 'invalid_url'],
    ['https://tiktok.com:443@evil.net/', 'invalid_url'],
    ['https://@tiktok.com/', 'invalid_url'],
    ['https://:@tiktok.com/', 'invalid_url'],
    // backslashes: `\` is `/` to WHATWG but not to Python
    ['http:/\\evil.net', 'invalid_url'],
    ['http:\\\\evil.net', 'invalid_url'],
    ['https://evil.net\\@tiktok.com', 'invalid_url'],
    ['https://tiktok.com\\@evil.net', 'invalid_url'],
    ['https://www.tiktok.com/a\\b', 'invalid_url'],
    // percent-encoded and odd hosts
    ['https://tiktok%2ecom.evil.net/', 'invalid_url'],
    ['https://tiktok.com%00.evil.net/', 'invalid_url'],
    ['https://www.tiktok%2ecom/', 'invalid_url'],
    ['https://%74iktok.com/', 'invalid_url'],
    ['https://tiktok.com../x', 'invalid_url'],
    ['https://a..tiktok.com/x', 'invalid_url'],
    ["https://evil.net'.tiktok.com/", 'invalid_url'],
    ['https://evil!.tiktok.com/', 'invalid_url'],
    ['https://tiktok.com:99999/', 'invalid_url'],
    ['https://tiktok.com:-1/', 'invalid_url'],
    ['https://[::1/', 'invalid_url'],
    ['https://[fe80::1%25eth0]/', 'invalid_url'],
    ['https://1.2.3.4.5/', 'invalid_url'],
    ['https://xn--/', 'invalid_url'],
    // length, counted after trimming
    [tiktokUrlOfLength(2048), 'ok'],
    [`  ${tiktokUrlOfLength(2048)}\n`, 'ok'],
    [tiktokUrlOfLength(2049), 'url_too_long'],
    [TIKTOK_PREFIX + '😀'.repeat(2048 - TIKTOK_PREFIX.length), 'ok'], // characters, not UTF-16 units
    [TIKTOK_PREFIX + '😀'.repeat(2049 - TIKTOK_PREFIX.length), 'url_too_long'],
    ['-'.repeat(5000), 'url_too_long'], // length first: a huge input is not inspected further
  ]

  for (const [input, expected] of cases) {
    const name = input.length > 80 ? `${input.slice(0, 60)}… (${input.length} chars)` : JSON.stringify(input)
    it(`${name} → ${expected}`, async () => {
      assert.equal(await outcome(input), expected)
    })
  }
})

describe('checkSubmittedUrl: what an accepted URL becomes', () => {
  const cases: ReadonlyArray<readonly [input: string, url: string, host: string]> = [
    [' https://www.tiktok.com/@a/video/1 ', 'https://www.tiktok.com/@a/video/1', 'www.tiktok.com'],
    ['\n\thttps://vm.tiktok.com/ZM1/\r\n', 'https://vm.tiktok.com/ZM1/', 'vm.tiktok.com'],
    // scheme and host canonical (yt-dlp's site patterns are case-sensitive), path case kept
    ['HTTPS://VM.TIKTOK.COM/ZM123/', 'https://vm.tiktok.com/ZM123/', 'vm.tiktok.com'],
    ['https://www.tiktok.com:443/x', 'https://www.tiktok.com/x', 'www.tiktok.com'],
    ['https://www.tiktok.com:8443/x?a=1#b', 'https://www.tiktok.com:8443/x?a=1#b', 'www.tiktok.com'],
    ['https://www.tiktok.com', 'https://www.tiktok.com', 'www.tiktok.com'],
    ['https://tiktok.com./x', 'https://tiktok.com./x', 'tiktok.com'],
    ['https://ｔｉｋｔｏｋ.com/x', 'https://tiktok.com/x', 'tiktok.com'],
    ['http://127.1/v.mp4', 'http://127.0.0.1/v.mp4', '127.0.0.1'],
    ['http://[0:0::1]:8080/v', 'http://[::1]:8080/v', '[::1]'],
    // the path is passed on as sent, not re-encoded
    ['https://www.tiktok.com/%7Euser/é?q=a+b', 'https://www.tiktok.com/%7Euser/é?q=a+b', 'www.tiktok.com'],
  ]
  for (const [input, url, host] of cases) {
    it(JSON.stringify(input), async () => {
      const checked = await checkSubmittedUrl(input, POLICY)
      assert.equal(checked.url, url)
      assert.equal(checked.host, host)
      assert.equal(checked.normalizedUrl, normalizeUrl(new URL(url)))
    })
  }
})

describe('checkSubmittedUrl: messages say what to do', () => {
  it('names the host and the allowed list', async () => {
    const error = await rejection('https://evil.net/x', { allowedDomains: ['tiktok.com', 'instagram.com'], maxLength: 2048 })
    assert.equal(error.code, 'unsupported_site')
    assert.equal(error.message, 'Host "evil.net" is not in downloads.allowed_domains (allowed: tiktok.com, instagram.com)')
  })
  it('shows the punycode form of a look-alike host', async () => {
    assert.match((await rejection('https://tіktok.com/')).message, /"xn--tktok-n2e\.com"/)
  })
  it('gives the length and the limit', async () => {
    const error = await rejection(tiktokUrlOfLength(2049))
    assert.equal(error.message, 'The URL is 2049 characters long; the limit is 2048 (security.max_url_length)')
  })
  it('points at the invisible character', async () => {
    assert.match((await rejection('https://tik\ttok.com/')).message, /U\+0009\) at position 12/)
  })
  it('explains the leading dash', async () => {
    assert.match((await rejection('--exec=rm')).message, /must not start with "-"/)
  })
  it('explains user info', async () => {
    assert.match((await rejection('https://u@tiktok.com/')).message, /user name or password/)
  })
  it('names a wrong scheme', async () => {
    assert.match((await rejection('ftp://tiktok.com/')).message, /not "ftp:" links/)
  })
  it('answers a non-string with invalid_url, not a TypeError', async () => {
    assert.equal(await outcome(42 as unknown as string), 'invalid_url')
    assert.equal(await outcome(null as unknown as string), 'invalid_url')
  })
  it('honours a smaller max_url_length', async () => {
    assert.equal(await outcome('https://www.tiktok.com/abcdef', { ...POLICY, maxLength: 29 }), 'ok')
    assert.equal(await outcome('https://www.tiktok.com/abcdefg', { ...POLICY, maxLength: 29 }), 'url_too_long')
  })
  it('refuses everything when the list is empty, and says so', async () => {
    const error = await rejection('https://www.tiktok.com/x', { allowedDomains: [], maxLength: 2048 })
    assert.equal(error.code, 'unsupported_site')
    assert.match(error.message, /allowed: none/)
  })
})

describe('isHostAllowed', () => {
  const cases: ReadonlyArray<readonly [host: string, entries: readonly string[], allowed: boolean]> = [
    ['tiktok.com', ['tiktok.com'], true],
    ['www.tiktok.com', ['tiktok.com'], true],
    ['vm.tiktok.com', ['tiktok.com'], true],
    ['TIKTOK.COM', ['tiktok.com'], true],
    ['tiktok.com', ['TikTok.COM.'], true],
    ['a.tiktok.com', ['*.tiktok.com'], true],
    ['tiktok.com', ['.tiktok.com'], true],
    ['tiktok.com', ['  tiktok.com  '], true],
    ['www.tiktok.com', ['www.tiktok.com'], true],
    ['tiktok.com', ['www.tiktok.com'], false], // an entry allows its subdomains, not its parent
    ['tiktok.com.evil.net', ['tiktok.com'], false],
    ['eviltiktok.com', ['tiktok.com'], false],
    ['xn--tktok-n2e.com', ['tiktok.com'], false],
    ['xn--tktok-n2e.com', ['tіktok.com'], true], // IDN entries are compared in punycode
    ['tiktok.com', ['https://tiktok.com'], false], // entries that are not host names match nothing
    ['tiktok.com', ['tiktok.com/x'], false],
    ['tiktok.com', ['tiktok.com:443'], false],
    ['tiktok.com', ['user@tiktok.com'], false],
    ['evil.net', [], false],
    ['evil.net/x', ['evil.net'], false],
    ['127.0.0.1', ['127.0.0.1'], true],
    ['127.0.0.1', ['127.1'], true],
    ['127.0.0.1', ['127.0.0.2'], false],
    ['10.0.0.1', ['0.1'], false], // an address never suffix-matches
    ['10.0.0.1', ['0.0.1'], false],
    ['[::1]', ['::1'], true],
    ['::1', ['[::1]'], true],
    ['[::1]', ['0:0:0:0:0:0:0:1'], true],
    ['[::ffff:7f00:1]', ['127.0.0.1'], false],
    ['[::ffff:7f00:1]', ['::ffff:127.0.0.1'], true],
    ['8.8.8.8', ['*'], true], // under "*" a public address literal is allowed
    ['[2606:4700::1]', ['*'], true],
    ['127.0.0.1', ['*'], false],
    ['[::1]', ['*'], false],
    ['192.168.1.5', ['*', '192.168.1.5'], true],
    ['example.com', ['*'], false], // a name under "*" needs DNS first: only checkSubmittedUrl does that
  ]
  for (const [host, entries, allowed] of cases) {
    it(`${host} with [${entries.join(', ')}] → ${allowed}`, () => {
      assert.equal(isHostAllowed(host, entries), allowed)
    })
  }

  it('notices a list changed in place', () => {
    const entries = ['tiktok.com']
    assert.equal(isHostAllowed('instagram.com', entries), false)
    entries.push('instagram.com')
    assert.equal(isHostAllowed('instagram.com', entries), true)
  })
})

describe('normalizeAllowedEntry', () => {
  const cases: ReadonlyArray<readonly [entry: string, normalized: string | undefined]> = [
    ['tiktok.com', 'tiktok.com'],
    ['*.TikTok.com.', 'tiktok.com'],
    ['.instagram.com', 'instagram.com'],
    ['*', '*'],
    ['tіktok.com', 'xn--tktok-n2e.com'],
    ['127.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[2001:DB8::1]', '2001:db8::1'],
    ['https://tiktok.com', undefined],
    ['tiktok.com/x', undefined],
    ['tiktok.com:443', undefined],
    ['*.*.tiktok.com', undefined],
    ['a b', undefined],
    ['', undefined],
    ['a..b', undefined],
  ]
  for (const [entry, normalized] of cases) {
    it(`${JSON.stringify(entry)} → ${String(normalized)}`, () => assert.equal(normalizeAllowedEntry(entry), normalized))
  }
})

describe('isPublicAddress', () => {
  const cases: ReadonlyArray<readonly [address: string, isPublic: boolean]> = [
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['1.1.1.1', true],
    ['172.15.255.255', true],
    ['172.32.0.0', true],
    ['100.63.255.255', true],
    ['100.128.0.0', true],
    ['2606:4700::6810:84e5', true],
    ['[2a03:2880:f12f:83:face:b00c::25de]', true],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::808:808', true], // NAT64 of 8.8.8.8, how IPv6-only networks reach IPv4 sites
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['10.1.2.3', false],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['169.254.169.254', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.0.0.8', false],
    ['192.0.2.1', false],
    ['192.168.1.1', false],
    ['198.18.0.1', false],
    ['198.51.100.7', false],
    ['203.0.113.9', false],
    ['224.0.0.251', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    ['::', false],
    ['::1', false],
    ['[::1]', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['fec0::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:192.168.0.1', false],
    ['::ffff:0:0', false],
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['64:ff9b::7f00:1', false],
    ['64:ff9b:1::1', false],
    ['::127.0.0.1', false], // deprecated IPv4-compatible form
    ['2001:db8::1', false],
    ['2001::1', false], // Teredo
    ['2002:c0a8:101::1', false], // 6to4 of 192.168.1.1
    ['3fff::1', false],
    ['100::1', false],
    ['localhost', false],
    ['', false],
    ['not an address', false],
  ]
  for (const [address, isPublic] of cases) {
    it(`${address} → ${isPublic ? 'public' : 'not public'}`, () => assert.equal(isPublicAddress(address), isPublic))
  }
})

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

describe('normalizeUrl', () => {
  const cases: ReadonlyArray<readonly [input: string, key: string]> = [
    ['https://www.instagram.com/reel/ABC/?igsh=xyz', 'https://www.instagram.com/reel/ABC'],
    ['https://www.instagram.com/reel/ABC/?igshid=MzRlODBiNWFlZA==', 'https://www.instagram.com/reel/ABC'],
    [
      'https://www.tiktok.com/@a/video/1?is_from_webapp=1&sender_device=pc&sender_web_id=7&web_id=9',
      'https://www.tiktok.com/@a/video/1',
    ],
    ['https://vm.tiktok.com/ZM1/?_r=1&_t=8abc', 'https://vm.tiktok.com/ZM1'],
    [
      'https://www.tiktok.com/@a/video/1?is_copy_url=1&share_app_id=1233&share_link_id=x',
      'https://www.tiktok.com/@a/video/1',
    ],
    [
      'https://x.example/v?utm_source=ig&UTM_Medium=social&utm_campaign=c&fbclid=1&gclid=2&si=3&id=7',
      'https://x.example/v?id=7',
    ],
    ['HTTPS://WWW.TikTok.COM:443/@a/video/1#comments', 'https://www.tiktok.com/@a/video/1'],
    ['http://tiktok.com:80/x', 'http://tiktok.com/x'],
    ['http://tiktok.com:443/x', 'http://tiktok.com:443/x'],
    ['https://tiktok.com:8443/x/', 'https://tiktok.com:8443/x'],
    ['https://tiktok.com./x', 'https://tiktok.com/x'],
    ['https://x.example/a?b=2&a=1', 'https://x.example/a?a=1&b=2'],
    ['https://x.example/watch?v=2&v=1', 'https://x.example/watch?v=2&v=1'], // repeated names keep their order
    ['https://x.example/', 'https://x.example'],
    ['https://x.example/a//', 'https://x.example/a'],
    ['https://x.example/a/b/../c/./', 'https://x.example/a/c'],
    ['https://user:pw@x.example/a', 'https://x.example/a'],
    ['https://x.example/a?', 'https://x.example/a'],
    ['https://x.example/a?utm_source=x#y', 'https://x.example/a'],
    ['https://tіktok.com/x', 'https://xn--tktok-n2e.com/x'],
    ['http://[0:0::1]:8080/a/', 'http://[::1]:8080/a'],
    ['https://x.example/Path/With/Case', 'https://x.example/Path/With/Case'],
  ]
  for (const [input, key] of cases) {
    it(`${input} → ${key}`, () => assert.equal(normalizeUrl(new URL(input)), key))
  }

  const key = (url: string) => normalizeUrl(new URL(url))
  it('gives the same key to the same video shared twice', () => {
    assert.equal(key('https://www.instagram.com/reel/ABC/?igsh=xyz'), key('https://www.instagram.com/reel/ABC'))
    assert.equal(key('https://x.example/a?b=2&a=1&utm_x=1'), key('https://x.example/a?a=1&b=2'))
    assert.equal(
      key('https://www.tiktok.com/@a/video/1?_r=1&_t=x'),
      key('https://www.tiktok.com/@a/video/1/?is_from_webapp=1&sender_device=mobile'),
    )
  })
  it('keeps different videos apart', () => {
    assert.notEqual(key('https://x.example/watch?v=1'), key('https://x.example/watch?v=2'))
    assert.notEqual(key('https://www.tiktok.com/@a/video/1'), key('https://www.tiktok.com/@a/video/2'))
    assert.notEqual(key('https://x.example/A'), key('https://x.example/a'))
    assert.notEqual(key('http://x.example/a'), key('https://x.example/a'))
    assert.notEqual(key('https://x.example:8443/a'), key('https://x.example/a'))
    assert.notEqual(key('https://www.instagram.com/p/ABC/?img_index=2'), key('https://www.instagram.com/p/ABC'))
  })
})

describe('properties', () => {
  // Generators are hand-made: fast-check's own webUrl and `binary` strings take ~0.6 s just to build.

  /** Code points anywhere in Unicode (lone surrogates included), with printable ASCII favoured. */
  const anyCharacter = fc
    .oneof(
      { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 4 },
      { arbitrary: fc.integer({ min: 0, max: 0x10ffff }), weight: 1 },
    )
    .map((codePoint) => String.fromCodePoint(codePoint))

  /** Pieces of hosts and URLs that the attacks above are made of. */
  const harmlessPiece = fc.constantFrom(
    'http', 'https', 'HTTPS', 'javascript', 'file', ':', '/', '//', '@', ':@', '.', '..', '%', '%2e', '%00', '?', '#',
    '[', ']', '::1', '::ffff:127.0.0.1', '127.0.0.1', '127.1', '0x7f', ':8080', ':443', 'tiktok.com', 'TIKTOK.COM',
    'www.', 'vm.', 'evil.net', 'evil', 'instagram.com', 'tіktok', 'ｔｉｋｔｏｋ', 'xn--', '-', '--exec=', 'user', 'pass',
    'a', '1', '😀', "'", '!', '&', '=', '*', '_',
  )
  const dangerousPiece = fc.constantFrom(
    ' ', '\\', '\t', '\n', '\r', '\0', '\x7f', '\u0085', '\u00a0', '\u200b', '\u202e', '\ud800',
  )
  const piece = fc.oneof({ arbitrary: harmlessPiece, weight: 15 }, { arbitrary: dangerousPiece, weight: 1 })
  const pieces = (maxLength: number) => fc.array(piece, { maxLength }).map((parts) => parts.join(''))

  const hostName = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        'tiktok.com', 'www.tiktok.com', 'vm.tiktok.com', 'instagram.com', '127.0.0.1', '[::1]', 'evil.net',
      ),
      weight: 4,
    },
    fc.domain(),
    fc.ipV4(),
    fc.ipV4Extended(),
    fc.ipV6().map((address) => `[${address}]`),
  )
  const urlCharacter = fc.constantFrom(...'abcXYZ019-._~!$&()*+,;=:@/%'.split(''), '%20', '%2F', 'é', '😀')
  const word = fc.string({ unit: urlCharacter, maxLength: 8 })
  const plainUrl = fc
    .record({
      scheme: fc.constantFrom('http', 'https', 'HTTP', 'Https'),
      host: hostName,
      port: fc.option(fc.integer({ min: 0, max: 70_000 }), { nil: undefined }),
      path: fc.array(word, { maxLength: 4 }),
      query: fc.array(fc.tuple(word, word), { maxLength: 3 }),
      fragment: fc.option(word, { nil: undefined }),
    })
    .map(({ scheme, host, port, path, query, fragment }) => {
      const portPart = port === undefined ? '' : `:${port}`
      const queryPart = query.length === 0 ? '' : `?${query.map(([name, value]) => `${name}=${value}`).join('&')}`
      return `${scheme}://${host}${portPart}/${path.join('/')}${queryPart}${fragment === undefined ? '' : `#${fragment}`}`
    })

  /** URLs whose authority is where the attack is: user info, look-alike and decorated hosts. */
  const userInfo = fc.constantFrom('', '', '', '@', ':@', 'user@', 'user:pass@', 'tiktok.com@', 'evil.net@', 'a%40b@')
  const hostPrefix = fc
    .array(fc.constantFrom('evil', 'www.', 'vm.', '.', '-', '_', '%2e', '%74', "'", '!', 'a.b.', 'xn--', 'tіktok', '1.'), {
      maxLength: 3,
    })
    .map((parts) => parts.join(''))
  const hostCore = fc.constantFrom(
    'tiktok.com', 'instagram.com', 'TikTok.Com', 'tiktok%2ecom', 'tiktok.com.', '127.0.0.1', '127.1', '[::1]',
    '[::ffff:127.0.0.1]', 'evil.net', '',
  )
  const hostSuffix = fc
    .array(fc.constantFrom('.', '..', '.evil.net', 'evil', '%00', '%2e', ':80', ':', "'", '-', '_', '@evil.net', '#', '?'), {
      maxLength: 2,
    })
    .map((parts) => parts.join(''))
  const authorityAttack = fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'HTTPS://'),
      userInfo,
      hostPrefix,
      hostCore,
      hostSuffix,
      fc.constantFrom('', '/', '/x', '/@evil.net', '\\@evil.net', '?q=1', '#f'),
    )
    .map((parts) => parts.join(''))

  /** A valid URL with one piece inserted somewhere. */
  const damagedUrl = plainUrl.chain((url) =>
    fc.tuple(fc.nat({ max: url.length }), piece).map(([at, extra]) => url.slice(0, at) + extra + url.slice(at)),
  )

  const urlLike = fc.oneof(
    { arbitrary: authorityAttack, weight: 2 },
    pieces(12),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', 'https:/', 'https:', '//', 'https:\\\\', ' https://'),
        pieces(4),
        hostName,
        pieces(6),
      )
      .map((parts) => parts.join('')),
    plainUrl,
    damagedUrl,
    fc.string({ unit: anyCharacter, maxLength: 60 }),
  )

  /** The host as a simple split on `/?#` and `:` sees it, which is roughly what Python's urllib does. */
  function hostAsSplitSees(url: string): string {
    const authority = /^https?:\/\/([^/?#]*)/.exec(url)?.[1] ?? assert.fail(`no authority in ${url}`)
    assert.ok(!authority.includes('@'), `user info in ${url}`)
    const host = authority.startsWith('[')
      ? authority.slice(0, authority.indexOf(']') + 1)
      : (authority.split(':')[0] ?? '')
    const lower = host.toLowerCase()
    return lower.endsWith('.') ? lower.slice(0, -1) : lower
  }

  const CONTROL_OR_SPACE = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}]/u
  /** An ASCII host name, a dotted-quad IPv4 address or a bracketed IPv6 address. */
  const PLAIN_HOST = /^(?:[a-z0-9_-]+\.)*[a-z0-9_-]+$|^\[[0-9a-f:]+\]$/

  /** ALLOWED, written out by hand rather than through the module under test. */
  const allowedByOracle = (host: string) =>
    host === '127.0.0.1' ||
    host === '[::1]' ||
    ['tiktok.com', 'instagram.com'].some((domain) => host === domain || host.endsWith(`.${domain}`))

  it('accepts only safe URLs on allowed hosts and refuses everything else with a UrlRejection', async () => {
    await fc.assert(
      fc.asyncProperty(urlLike, async (raw) => {
        let checked
        try {
          checked = await checkSubmittedUrl(raw, POLICY)
        } catch (error) {
          assert.ok(error instanceof UrlRejection, `not a UrlRejection: ${String(error)}`)
          assert.ok(['invalid_url', 'unsupported_site', 'url_too_long'].includes(error.code))
          assert.ok(error.message.length > 0)
          return
        }
        assert.ok(isHostAllowed(checked.host, ALLOWED), `host ${checked.host} not allowed`)
        assert.ok(allowedByOracle(checked.host), `host ${checked.host} not allowed by the oracle`)
        assert.match(checked.host, PLAIN_HOST)
        assert.ok(!checked.url.startsWith('-'))
        assert.ok(!CONTROL_OR_SPACE.test(checked.url), `control or space in ${JSON.stringify(checked.url)}`)
        assert.ok(!checked.url.includes('\\'))
        assert.match(checked.url, /^https?:\/\/[^/]/)
        // No parser differential: a naive split finds the same host WHATWG found, in what is handed
        // on and in what was sent (where the sent host is plain ASCII and not an address shorthand).
        assert.equal(hostAsSplitSees(checked.url), checked.host)
        const sentHost = hostAsSplitSees(raw.trim().replace(/^https?:/i, (scheme) => scheme.toLowerCase()))
        assert.ok(!sentHost.includes('%'), `percent-encoded host accepted: ${raw}`)
        if (/^[a-z0-9_.-]*[a-z_-][a-z0-9_.-]*$/.test(sentHost) && !/\.\d+$|^0x|\.0x/.test(sentHost)) {
          assert.equal(sentHost, checked.host)
        }
        assert.equal(normalizeUrl(new URL(checked.url)), checked.normalizedUrl)
      }),
      { numRuns: 2000 },
    )
  })

  it('under "*", accepts a host only when every IPv4 address is outside the non-public ranges', async () => {
    // An oracle written independently of the BlockList in the module.
    const isPrivateIPv4 = (address: string) => {
      const [a = 0, b = 0, c = 0] = address.split('.').map(Number)
      return (
        a === 0 || a === 10 || a === 127 || a >= 224 ||
        (a === 100 && b >= 64 && b <= 127) ||
        (a === 169 && b === 254) ||
        (a === 172 && b >= 16 && b <= 31) ||
        (a === 192 && b === 168) ||
        (a === 192 && b === 0 && (c === 0 || c === 2)) ||
        (a === 192 && b === 88 && c === 99) ||
        (a === 198 && (b === 18 || b === 19)) ||
        (a === 198 && b === 51 && c === 100) ||
        (a === 203 && b === 0 && c === 113)
      )
    }
    // Bias towards the interesting first octets so the private ranges are actually hit.
    const octet = fc.integer({ min: 0, max: 255 })
    const ipv4 = fc
      .tuple(fc.oneof(fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 240, 255), octet), octet, octet, octet)
      .map((parts) => parts.join('.'))
    await fc.assert(
      fc.asyncProperty(fc.array(ipv4, { minLength: 1, maxLength: 3 }), async (addresses) => {
        const policy: UrlPolicy = { allowedDomains: ['*'], maxLength: 2048, resolve: async () => addresses }
        const expected = addresses.some(isPrivateIPv4) ? 'unsupported_site' : 'ok'
        assert.equal(await outcome('https://video.example/x', policy), expected)
        // The same address typed as the URL's host is judged the same way.
        const first = addresses[0] ?? assert.fail()
        assert.equal(await outcome(`http://${first}/x`, policy), isPrivateIPv4(first) ? 'unsupported_site' : 'ok')
        const mapped = `http://[::ffff:${first}]/x`
        assert.equal(await outcome(mapped, policy), isPrivateIPv4(first) ? 'unsupported_site' : 'ok')
      }),
      { numRuns: 500 },
    )
  })

  it('under "*", accepts IPv6 addresses only from global unicast space or with a public IPv4 inside', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        if (!isPublicAddress(address)) return
        const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1)
        const firstGroup = Number.parseInt(canonical.split(':')[0] || '0', 16)
        const embedsIPv4 = /^(?:::ffff|64:ff9b:):[0-9a-f]{1,4}:[0-9a-f]{1,4}$|^64:ff9b::[0-9a-f]{1,4}$/.test(canonical)
        assert.ok((firstGroup >= 0x2000 && firstGroup <= 0x3fff) || embedsIPv4, `${address} is not global unicast`)
      }),
      { numRuns: 1000 },
    )
  })

  const trackingParameter = fc.constantFrom(
    'utm_source', 'UTM_Medium', 'igsh', 'igshid', 'fbclid', 'gclid', 'si', '_r', '_t', 'is_from_webapp', 'sender_device',
  )
  const parameterName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/)
  const parameterValue = fc.stringMatching(/^[A-Za-z0-9._~-]{0,8}$/)

  it('normalizeUrl is idempotent', () => {
    fc.assert(
      fc.property(
        plainUrl.filter((url) => URL.canParse(url)),
        fc.array(fc.tuple(fc.oneof(trackingParameter, parameterName), parameterValue), { maxLength: 4 }),
        (base, extra) => {
          const url = new URL(base)
          for (const [name, value] of extra) url.searchParams.append(name, value)
          const once = normalizeUrl(url)
          assert.equal(normalizeUrl(new URL(once)), once)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('normalizeUrl ignores parameter order, tracking parameters and a trailing slash', () => {
    type Pair = readonly [string, string]
    const build = (pairs: readonly Pair[], slash: boolean) => {
      const url = new URL(`https://www.tiktok.com/@a/video/1${slash ? '/' : ''}`)
      for (const [name, value] of pairs) url.searchParams.append(name, value)
      return normalizeUrl(url)
    }
    // Distinct names: the relative order of repeated names is deliberately kept.
    const parameters = fc.uniqueArray(fc.tuple(parameterName, parameterValue), { selector: ([name]) => name, maxLength: 5 })
    const sharedAgain = parameters.chain((original) =>
      fc
        .array(fc.tuple(trackingParameter, parameterValue), { maxLength: 3 })
        .chain((tracking) => {
          const all: Pair[] = [...original, ...tracking]
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
        })
        .map((shuffled) => [original, shuffled] as const),
    )
    fc.assert(
      fc.property(sharedAgain, fc.boolean(), ([original, shuffled], slash) => {
        assert.equal(build(shuffled, slash), build(original, false))
      }),
      { numRuns: 500 },
    )
  })
})
