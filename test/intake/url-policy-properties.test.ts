// Property-based tests of the URL policy: the inputs nobody thought of.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  UrlRejection,
  checkSubmittedUrl,
  isHostAllowed,
  isPublicAddress,
  normalizeUrl,
  type UrlPolicy,
} from '../../src/intake/url-policy.js'
import { ALLOWED, POLICY, outcome } from './url-policy-fixtures.js'

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
