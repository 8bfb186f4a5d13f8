// Netscape cookies.txt validation on the shapes browser extensions export.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatCookiesFile, InvalidCookiesError, parseCookiesFile } from '../../src/logins/cookies-file.js'
import { normalizeSite, siteForHost } from '../../src/logins/cookie-store.js'

const line = (domain: string, name: string, value: string, expires = 1893456000) => `${domain}\tTRUE\t/\tTRUE\t${expires}\t${name}\t${value}`
const EXPORT = [
  '# Netscape HTTP Cookie File',
  '# https://curl.haxx.se/rfc/cookie_spec.html',
  '',
  line('.instagram.com', 'csrftoken', 'abc123', 1893456000),
  `#HttpOnly_${line('.instagram.com', 'sessionid', 'SECRET%3Avalue', 1830000000)}`,
  line('.instagram.com', 'rur', '"LDC\\05467\\0541"', 0),
  line('.youtube.com', 'PREF', 'f6=40000000'),
  '',
].join('\r\n')

test('an export is reduced to the site’s own cookies, with the earliest expiry', () => {
  const parsed = parseCookiesFile(EXPORT, 'instagram.com')
  assert.equal(parsed.cookies.length, 3)
  assert.equal(parsed.skipped, 1)
  assert.equal(parsed.earliest_expiry?.toISOString(), new Date(1830000000 * 1000).toISOString())
  const stored = formatCookiesFile(parsed)
  assert.match(stored, /^# Netscape HTTP Cookie File\n/)
  assert.ok(stored.includes('#HttpOnly_.instagram.com\tTRUE\t/\tTRUE\t1830000000\tsessionid\tSECRET%3Avalue'))
  assert.ok(!stored.includes('youtube'), 'other sites left out')
  assert.equal(parseCookiesFile(line('www.tiktok.com', 'sid_tt', 'x', 0), 'tiktok.com').earliest_expiry, null, 'session cookies do not expire')
})

test('wrong files are refused with the line and the reason, never the cookie values', () => {
  const cases: [string, RegExp][] = [
    ['[{"domain": ".instagram.com", "name": "sessionid", "value": "SECRET"}]', /JSON; export the cookies in the Netscape/],
    [`.instagram.com TRUE / TRUE 0 sessionid SECRET`, /line 1 has 1 field; a Netscape cookie line has 7/],
    [`# header\n.instagram.com\tTRUE\t/\tTRUE\t0\tsessionid`, /line 2 has 6 fields/],
    [line('.instagram.com', 'sessionid', 'SECRET', -5 as number), /line 1: the expiry field must be unix seconds/],
    [`.instagram.com\tyes\t/\tTRUE\t0\tsessionid\tSECRET`, /line 1: the 2nd and 4th fields must be TRUE or FALSE/],
    [`.instagram.com\tTRUE\tpath\tTRUE\t0\tsessionid\tSECRET`, /line 1: the path field must start with \//],
    [line('bad domain', 'sessionid', 'SECRET'), /line 1: the domain field is not a domain/],
    [line('.youtube.com', 'PREF', 'SECRET'), /no cookies for instagram\.com \(it has cookies for youtube\.com\)/],
    ['# Netscape HTTP Cookie File\n', /no cookies for instagram\.com/],
    [`${line('.instagram.com', 'a', 'b')}\u0000`, /line 1 holds a control character/],
  ]
  for (const [text, message] of cases) {
    assert.throws(() => parseCookiesFile(text, 'instagram.com'), (err: Error) => {
      assert.ok(err instanceof InvalidCookiesError)
      assert.match(err.message, message)
      assert.ok(!err.message.includes('SECRET'), `no cookie value in: ${err.message}`)
      return true
    })
  }
})

test('sites are domains; www. is dropped; a host gets the longest matching site', () => {
  assert.equal(normalizeSite('Instagram.com'), 'instagram.com')
  assert.equal(normalizeSite('www.tiktok.com'), 'tiktok.com')
  for (const bad of ['instagram', '../etc', 'a/b.com', '-x.com', 'x..com', '', 'ex ample.com', 'x.com%2f']) assert.throws(() => normalizeSite(bad), bad)
  assert.equal(siteForHost('www.instagram.com', ['instagram.com', 'tiktok.com']), 'instagram.com')
  assert.equal(siteForHost('vm.tiktok.com', ['tiktok.com', 'vm.tiktok.com']), 'vm.tiktok.com')
  assert.equal(siteForHost('notinstagram.com', ['instagram.com']), undefined)
})
