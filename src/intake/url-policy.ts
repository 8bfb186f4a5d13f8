// The gate between a phone's share sheet and yt-dlp. Every submitted URL passes through
// checkSubmittedUrl before it is stored; whatever passes is later handed to yt-dlp (after `--`).
//
// Two parsers look at each URL: WHATWG `URL` here, Python's urllib inside yt-dlp. Where they could
// disagree about the host (backslashes, user info, percent-encoded or odd host characters, stray
// whitespace that WHATWG silently drops) the URL is refused outright rather than interpreted; and
// the URL handed on carries the host exactly as checked, so the host checked is the host fetched.
//
// Known limits of the "*" mode, by design of a URL check: yt-dlp resolves the name again later
// (DNS rebinding) and follows redirects. What it then connects to is checked again by the egress
// proxy (src/egress), with these same tables, on every connection; this check gives the sender an
// answer at once.

import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { domainToASCII, domainToUnicode } from 'node:url'
import type { ErrorCode } from '../core/errors.js'
import { normalizeUrl } from './url-normalize.js'
import { canonicalAddress, isPublicAddress } from './ip-ranges.js'

export { normalizeUrl } from './url-normalize.js'
export { isPublicAddress } from './ip-ranges.js'

/** Stable codes for the API's 422 answers (SPEC §2). */
export type UrlRejectionCode = Extract<ErrorCode, 'invalid_url' | 'unsupported_site' | 'url_too_long'>

/** A submitted URL was refused; `message` tells the person what to change. */
export class UrlRejection extends Error {
  override name = 'UrlRejection'
  constructor(
    readonly code: UrlRejectionCode,
    message: string,
  ) {
    super(message)
  }
}

/** What checkSubmittedUrl enforces, taken from the config. */
export interface UrlPolicy {
  /** `downloads.allowed_domains`: domains (with subdomains), IP literals, or "*" for any public host */
  allowedDomains: readonly string[]
  /** `security.max_url_length`, counted in characters after trimming */
  maxLength: number
  /** for "*": a hostname's addresses; defaults to the system resolver (`dns.promises.lookup`) */
  resolve?: (host: string) => Promise<string[]>
  /** for "*": how long resolving may take before the URL is refused; default 5 s */
  resolveTimeoutMs?: number
}

/** A URL that passed the policy. */
export interface CheckedUrl {
  /**
   * what to store and hand to yt-dlp: the submission, trimmed, with scheme and host in WHATWG's
   * canonical form (`HTTPS://VM.TikTok.com:443/ZM1/` → `https://vm.tiktok.com/ZM1/`). yt-dlp then
   * fetches exactly the host checked here (punycode, canonical IP), and its per-site URL patterns,
   * which are case-sensitive, recognise the link. Path, query and fragment are kept as sent.
   */
  url: string
  /** the dedupe key (see normalizeUrl) */
  normalizedUrl: string
  /** lower-case ASCII host without trailing dot; IPv6 in brackets, e.g. `[::1]` */
  host: string
}

const DEFAULT_RESOLVE_TIMEOUT_MS = 5_000

/**
 * Validates a submitted URL; returns the URL to store (trimmed, scheme and host canonical) and
 * its dedupe key, or throws UrlRejection with a message a person can act on. Never throws
 * anything else, whatever `raw` is.
 */
export async function checkSubmittedUrl(raw: string, policy: UrlPolicy): Promise<CheckedUrl> {
  // The body schema should already guarantee a string; a non-string must still be a 422, not a 500.
  if (typeof raw !== 'string') throw invalidUrl('The URL must be a string')
  // Share sheets and copy-paste add spaces and newlines around a link; they are not part of it.
  const trimmed = raw.trim()
  if (trimmed === '') throw invalidUrl('The URL is empty; send the link to the video')

  // First, so a huge input costs nothing more. `.length` counts UTF-16 units, never fewer than
  // characters, so the exact count is only needed when it is over.
  if (trimmed.length > policy.maxLength) {
    const characters = [...trimmed].length
    if (characters > policy.maxLength) {
      throw new UrlRejection(
        'url_too_long',
        `The URL is ${characters} characters long; the limit is ${policy.maxLength} (security.max_url_length)`,
      )
    }
  }

  // yt-dlp would read `-o/etc/passwd` or `--exec=...` as an option. The runner also puts the URL
  // after `--`; refusing here is the second lock and gives the sender a clear answer.
  if (trimmed.startsWith('-')) {
    throw invalidUrl('The URL must not start with "-"; send a link starting with https://')
  }

  // WHATWG URL silently deletes tabs and newlines (`tik\ntok.com` parses as tiktok.com) while other
  // parsers keep them; NUL and CR/LF could also end up in logs or arguments. Invisible formatting
  // characters (zero-width, bidi overrides) make a link look like a different one in the history.
  const forbidden = FORBIDDEN_CHARACTER.exec(trimmed)
  if (forbidden !== null) {
    throw invalidUrl(
      `The URL contains a space, control or invisible character (${describeCharacter(forbidden[0])}) ` +
        `at position ${forbidden.index + 1}; send the link exactly as shared`,
    )
  }

  // WHATWG reads `\` as `/` in http(s) URLs, Python does not: `https://tiktok.com\@evil.net` is
  // tiktok.com to one and evil.net to the other. Real share links never contain a backslash.
  if (trimmed.includes('\\')) throw invalidUrl('The URL must not contain a backslash ("\\")')

  checkScheme(trimmed)

  // The authority is everything between `//` and the first `/`, `?` or `#`.
  const authorityStart = trimmed.indexOf('//') + 2
  const authority = trimmed.slice(authorityStart).split(/[/?#]/, 1)[0] ?? ''
  // `user@tiktok.com@evil.net`: parsers disagree on which `@` ends the user info, and a host after
  // credentials is a classic way to make a link look like it goes somewhere it does not.
  if (authority.includes('@')) {
    throw invalidUrl('The URL must not contain a user name or password ("user@host"); send the plain link')
  }
  // WHATWG decodes `tiktok%2ecom` to `tiktok.com` in hosts, yt-dlp would not.
  if (authority.includes('%')) throw invalidUrl('The host of the URL must not be percent-encoded ("%")')

  let parsed: URL
  try {
    parsed = new URL(trimmed)
  } catch {
    throw invalidUrl('This is not a valid URL; send a link like https://www.tiktok.com/@user/video/123')
  }
  // Belt and braces: the text checks above already imply both.
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
    throw invalidUrl('This is not a valid http(s) URL')
  }

  // `tiktok.com.` is the fully qualified spelling of tiktok.com; one trailing dot only.
  const host = parsed.hostname.endsWith('.') ? parsed.hostname.slice(0, -1) : parsed.hostname
  const target = classifyHost(host)
  if (target === undefined) {
    throw invalidUrl(`"${host}" is not a valid host name (letters, digits, "-", "_" and dots only)`)
  }

  await checkHostAllowed(host, target, policy)
  const url = `${parsed.protocol}//${parsed.host}${trimmed.slice(authorityStart + authority.length)}`
  return { url, normalizedUrl: normalizeUrl(parsed), host }
}

/**
 * True when `host` (lower-case, no trailing dot; IPv6 with or without brackets) is allowed by the
 * list. Domain entries allow themselves and their subdomains; IP entries allow exactly that
 * address. With "*", an IP literal is allowed when it is public; a host *name* under "*" needs
 * its addresses resolved first, which only checkSubmittedUrl does, so here it is false.
 */
export function isHostAllowed(host: string, allowedDomains: readonly string[]): boolean {
  const target = classifyHost(host.toLowerCase())
  if (target === undefined) return false
  const allowList = compileAllowList(allowedDomains)
  if (matchesExplicitEntry(target, allowList)) return true
  return allowList.anyPublicHost && target.kind === 'address' && isPublicAddress(target.address)
}

/**
 * One `downloads.allowed_domains` entry in the form hosts are compared with: "*", a lower-case
 * ASCII (punycode) domain, or a canonical IP address without brackets. Leading `*.` or `.` and a
 * trailing dot are dropped (`*.TikTok.com.` → `tiktok.com`). Undefined when the entry can never
 * match a host (a URL, a path, a port): the config loader can report it at start-up.
 */
export function normalizeAllowedEntry(entry: string): string | undefined {
  let text = entry.trim().toLowerCase()
  if (text === '*') return '*'
  if (text.startsWith('*.')) text = text.slice(2)
  else if (text.startsWith('.')) text = text.slice(1)
  if (text.endsWith('.')) text = text.slice(0, -1)

  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (isIP(unbracketed) !== 0) return canonicalAddress(unbracketed)

  // domainToASCII stops at the first `/` (`tiktok.com/x` → `tiktok.com`, `https://x` → `https`),
  // so anything that is not a bare host name is refused before it can turn into a different one.
  if (!/^[^\s/\\?#@:%*[\]]+$/u.test(text)) return undefined
  // Punycodes IDN entries and canonicalizes IPv4 shorthand (`127.1` → `127.0.0.1`).
  const ascii = domainToASCII(text)
  if (ascii === '') return undefined
  return isIP(ascii) === 4 || HOST_NAME.test(ascii) ? ascii : undefined
}

// ---------------------------------------------------------------------------------------------
// Characters and schemes

/**
 * C0/C1 controls and DEL (Cc), invisible formatting such as zero-width and bidi characters (Cf),
 * lone surrogates (Cs), and every kind of space or line separator (Z).
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}]/u

const ALLOWED_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:'])

/**
 * A host name as it may reach yt-dlp: ASCII letters, digits, `-` and `_` in non-empty labels.
 * WHATWG URL also lets through `!$&'()*+,;=~` and more, which no real site uses and which only
 * widen what other parsers might disagree on.
 */
const HOST_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/

/** Requires a literal `http://` or `https://` followed by a host. */
function checkScheme(url: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  if (scheme === undefined) {
    // Relative (`//tiktok.com/x`) or a bare host (`tiktok.com/x`).
    throw invalidUrl('The URL must start with https:// or http://')
  }
  if (scheme !== 'http' && scheme !== 'https') {
    throw invalidUrl(`Only http and https links can be downloaded, not "${scheme}:" links`)
  }
  // WHATWG accepts `https:tiktok.com` and `https:///tiktok.com` as if the slashes were right;
  // Python sees no host at all. Exactly two slashes, then the host.
  if (!/^https?:\/\/[^/]/i.test(url)) {
    throw invalidUrl(`The URL must look like ${scheme}://host/path (exactly two slashes after "${scheme}:")`)
  }
}

function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

function invalidUrl(message: string): UrlRejection {
  return new UrlRejection('invalid_url', message)
}

// ---------------------------------------------------------------------------------------------
// Hosts and the allow list

/** A host as it is compared: an IP address (canonical, no brackets) or an ASCII domain name. */
type HostTarget = { kind: 'address'; address: string } | { kind: 'domain'; domain: string }

/** Undefined when the host is neither a valid IP address nor a plain host name. */
function classifyHost(host: string): HostTarget | undefined {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (isIP(unbracketed) !== 0) {
    const address = canonicalAddress(unbracketed)
    return address === undefined ? undefined : { kind: 'address', address }
  }
  return HOST_NAME.test(host) && host.split('.').every(isDecodableLabel) ? { kind: 'domain', domain: host } : undefined
}

/**
 * A punycode label (`xn--…`) must decode to Unicode. Node 20's URL parser rejects `xn--` alone;
 * Node 24's accepts it, so the check is ours, and the answer is the same on every Node.
 */
function isDecodableLabel(label: string): boolean {
  if (!label.startsWith('xn--')) return true
  const decoded = domainToUnicode(label)
  return decoded !== '' && decoded !== label
}

/** An allow list normalized once per config. */
interface AllowList {
  /** "*" is listed: any host whose addresses are all public */
  anyPublicHost: boolean
  /** each allows itself and its subdomains */
  domains: readonly string[]
  /** each allows exactly that address */
  addresses: ReadonlySet<string>
  /** for messages: the entries as the owner will recognise them */
  summary: string
}

/**
 * Keyed by the config's array; the joined source is kept to notice (unlikely) mutation, so a
 * changed list is never judged by a stale compilation.
 */
const compiledAllowLists = new WeakMap<readonly string[], { source: string; allowList: AllowList }>()

function compileAllowList(entries: readonly string[]): AllowList {
  const source = entries.join('\n')
  const cached = compiledAllowLists.get(entries)
  if (cached !== undefined && cached.source === source) return cached.allowList

  const normalized = entries.map(normalizeAllowedEntry).filter((entry) => entry !== undefined)
  const allowList: AllowList = {
    anyPublicHost: normalized.includes('*'),
    domains: normalized.filter((entry) => entry !== '*' && isIP(entry) === 0),
    addresses: new Set(normalized.filter((entry) => isIP(entry) !== 0)),
    summary: summarize(normalized),
  }
  compiledAllowLists.set(entries, { source, allowList })
  return allowList
}

const SUMMARY_MAX_ENTRIES = 10

function summarize(entries: readonly string[]): string {
  if (entries.length === 0) return 'none'
  const shown = entries.slice(0, SUMMARY_MAX_ENTRIES).join(', ')
  return entries.length > SUMMARY_MAX_ENTRIES ? `${shown}, and ${entries.length - SUMMARY_MAX_ENTRIES} more` : shown
}

function matchesExplicitEntry(target: HostTarget, allowList: AllowList): boolean {
  if (target.kind === 'address') return allowList.addresses.has(target.address)
  const { domain } = target
  // The `.` before the suffix is what keeps `eviltiktok.com` out; an IP host never reaches here,
  // so an entry can not suffix-match the tail of an address.
  return allowList.domains.some((allowed) => domain === allowed || domain.endsWith(`.${allowed}`))
}

async function checkHostAllowed(host: string, target: HostTarget, policy: UrlPolicy): Promise<void> {
  const allowList = compileAllowList(policy.allowedDomains)
  // An explicit entry wins over "*": that is how an owner allows one LAN host next to "*".
  if (matchesExplicitEntry(target, allowList)) return
  if (!allowList.anyPublicHost) {
    throw new UrlRejection(
      'unsupported_site',
      `Host "${host}" is not in downloads.allowed_domains (allowed: ${allowList.summary})`,
    )
  }

  const addresses =
    target.kind === 'address'
      ? [target.address]
      : await resolveHost(target.domain, policy.resolve ?? lookupAddresses, policy.resolveTimeoutMs)
  // All, not any: a name with one public and one private address may be fetched at either.
  const nonPublic = addresses.find((address) => !isPublicAddress(address))
  if (nonPublic !== undefined) {
    const resolvedTo = target.kind === 'address' ? 'is' : `resolves to ${nonPublic}, which is`
    throw new UrlRejection(
      'unsupported_site',
      `Host "${host}" ${resolvedTo} a private, local or reserved address; "*" in downloads.allowed_domains ` +
        `only allows public hosts — add "${host}" to the list to allow it`,
    )
  }
}

async function lookupAddresses(host: string): Promise<string[]> {
  const results = await lookup(host, { all: true })
  return results.map((result) => result.address)
}

/** The host's addresses, or an `unsupported_site` rejection that says why there are none. */
async function resolveHost(
  host: string,
  resolve: (host: string) => Promise<string[]>,
  timeoutMs = DEFAULT_RESOLVE_TIMEOUT_MS,
): Promise<string[]> {
  const cannotResolve = (why: string) =>
    new UrlRejection('unsupported_site', `Host "${host}" could not be resolved (${why}); check the link`)

  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(cannotResolve(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    // `.then` so a resolver that throws synchronously is caught like one that rejects.
    const addresses: unknown = await Promise.race([Promise.resolve(host).then(resolve), timedOut])
    if (!Array.isArray(addresses) || addresses.length === 0) throw cannotResolve('no addresses')
    // Anything that is not an address string is kept as-is and then fails isPublicAddress.
    return addresses.map((address) => (typeof address === 'string' ? address : String(address)))
  } catch (error) {
    if (error instanceof UrlRejection) throw error
    const code = (error as { code?: unknown } | null)?.code
    throw cannotResolve(typeof code === 'string' ? code : 'lookup failed')
  } finally {
    clearTimeout(timer)
  }
}
