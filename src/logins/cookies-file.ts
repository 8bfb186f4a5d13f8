// Netscape cookies.txt, the format browser extensions export and yt-dlp and gallery-dl read:
// one cookie per line, 7 tab-separated fields (domain, include subdomains, path, secure, expiry
// in unix seconds with 0 or empty for a session cookie, name, value); "#HttpOnly_" may prefix the
// domain; other "#" lines are comments. Parsed strictly, so a wrong file is refused at upload
// rather than silently ignored by the downloader later. Error messages never quote cookie values.

/** One cookie, as much as the server needs to know about it. */
export interface CookieLine {
  domain: string
  /** unix seconds; null for a session cookie */
  expires: number | null
  /** the line as it goes into the stored file */
  text: string
}

/** A validated upload, reduced to the site's own cookies. */
export interface ParsedCookies {
  cookies: CookieLine[]
  /** cookies for other sites that were left out */
  skipped: number
  /** the soonest expiry among them (session cookies do not count); null when none expires */
  earliest_expiry: Date | null
}

export class InvalidCookiesError extends Error {
  override name = 'InvalidCookiesError'
}

const HEADER = '# Netscape HTTP Cookie File'
const HTTP_ONLY = '#HttpOnly_'
const FLAG = /^(TRUE|FALSE)$/i
const EXPIRY = /^[0-9]+(?:\.[0-9]+)?$/
const DOMAIN = /^\.?[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/
// Control characters other than tab would end up in an HTTP header.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/

/** A domain is the site's when it is the site or one of its subdomains (or a parent the site lies under). */
export function domainBelongsTo(domain: string, site: string): boolean {
  const bare = domain.replace(/^\./, '').toLowerCase()
  return bare === site || bare.endsWith(`.${site}`) || (site.endsWith(`.${bare}`) && bare.includes('.'))
}

/** Validates a cookies.txt for `site`; throws InvalidCookiesError saying which line is wrong. */
export function parseCookiesFile(text: string, site: string): ParsedCookies {
  const body = text.replace(/^\uFEFF/, '')
  if (/^\s*[[{]/.test(body)) {
    throw new InvalidCookiesError('This is JSON; export the cookies in the Netscape cookies.txt format instead')
  }
  const cookies: CookieLine[] = []
  let skipped = 0
  const others = new Set<string>()
  body.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '')
    const httpOnly = line.startsWith(HTTP_ONLY)
    if (!httpOnly && (line.startsWith('#') || line.trim() === '')) return
    const where = `line ${index + 1}`
    if (CONTROL.test(line)) throw new InvalidCookiesError(`${where} holds a control character`)
    const fields = (httpOnly ? line.slice(HTTP_ONLY.length) : line).split('\t')
    if (fields.length !== 7) {
      throw new InvalidCookiesError(
        `${where} has ${fields.length} field${fields.length === 1 ? '' : 's'}; a Netscape cookie line has 7, separated by tabs ` +
          '(domain, include subdomains, path, secure, expiry, name, value)',
      )
    }
    const [domain, subdomains, cookiePath, secure, expiry] = fields as [string, string, string, string, string]
    if (!DOMAIN.test(domain)) throw new InvalidCookiesError(`${where}: the domain field is not a domain`)
    if (!FLAG.test(subdomains) || !FLAG.test(secure)) throw new InvalidCookiesError(`${where}: the 2nd and 4th fields must be TRUE or FALSE`)
    if (!cookiePath.startsWith('/')) throw new InvalidCookiesError(`${where}: the path field must start with /`)
    if (expiry !== '' && !EXPIRY.test(expiry)) throw new InvalidCookiesError(`${where}: the expiry field must be unix seconds (0 for a session cookie)`)
    if (!domainBelongsTo(domain, site)) {
      skipped++
      others.add(domain.replace(/^\./, '').toLowerCase())
      return
    }
    const seconds = expiry === '' ? 0 : Math.floor(Number(expiry))
    cookies.push({ domain, expires: seconds > 0 ? seconds : null, text: line })
  })
  if (cookies.length === 0) {
    const seen = [...others].slice(0, 3).join(', ')
    throw new InvalidCookiesError(`The file has no cookies for ${site}${seen ? ` (it has cookies for ${seen})` : ''}; export them while logged in to ${site}`)
  }
  const expiries = cookies.flatMap((cookie) => (cookie.expires === null ? [] : [cookie.expires]))
  return {
    cookies,
    skipped,
    earliest_expiry: expiries.length ? new Date(Math.min(...expiries) * 1000) : null,
  }
}

/** The stored form: the header yt-dlp and gallery-dl expect, then the site's cookie lines. */
export function formatCookiesFile(parsed: ParsedCookies): string {
  return `${HEADER}\n# Stored by Video Download Server; replace it with \`vds cookies import\` or PUT /api/v1/cookies/{site}\n${parsed.cookies.map((c) => c.text).join('\n')}\n`
}
