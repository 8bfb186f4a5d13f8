// The URL policy is the gate between the internet and yt-dlp, so it is tested three ways: tables
// of the attacks and share-sheet quirks we know about, "*" mode with a fake resolver (no DNS
// query ever leaves the machine), and property-based tests for the inputs nobody thought of.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  checkSubmittedUrl,
  isHostAllowed,
  normalizeAllowedEntry,
  normalizeUrl,
  type UrlRejectionCode,
} from '../../src/intake/url-policy.js'
import { POLICY, TIKTOK_PREFIX, outcome, rejection, tiktokUrlOfLength } from './url-policy-fixtures.js'

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
