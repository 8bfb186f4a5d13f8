// Per-site cookies in <data_dir>/cookies/<site>.txt (folder 0700, files 0600), written atomically.
// The server, `vds cookies` and the HTTP API all go through this; values are never read back out
// except into a private per-attempt copy for the downloader.
import { randomBytes } from 'node:crypto'
import { chmodSync, closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import path from 'node:path'
import { formatCookiesFile, InvalidCookiesError, parseCookiesFile, type ParsedCookies } from './cookies-file.js'

/** What may be shown about a site's cookies: never the cookies themselves. */
export interface CookieSiteInfo {
  site: string
  cookies: number
  /** ISO time of the soonest expiry, null when every cookie is a session cookie */
  earliest_expiry: string | null
  updated_at: string
}

export const COOKIES_DIR = 'cookies'
const ATTEMPTS_DIR = '.attempts'
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const SITE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`)

export class InvalidSiteError extends Error {
  override name = 'InvalidSiteError'
}

/** "Instagram.com", "www.instagram.com" → "instagram.com"; throws when it is not a domain. */
export function normalizeSite(site: string): string {
  const lower = site.trim().toLowerCase().replace(/\.$/, '').replace(/^www\./, '')
  if (!SITE.test(lower)) throw new InvalidSiteError(`"${site.slice(0, 80)}" is not a domain such as instagram.com`)
  return lower
}

/** The stored site whose cookies apply to a URL's host (the longest match), or undefined. */
export function siteForHost(host: string, sites: Iterable<string>): string | undefined {
  const bare = host.toLowerCase().replace(/\.$/, '')
  let best: string | undefined
  for (const site of sites) {
    if ((bare === site || bare.endsWith(`.${site}`)) && site.length > (best?.length ?? 0)) best = site
  }
  return best
}

export function createCookieStore(dataDir: string) {
  const dir = path.join(dataDir, COOKIES_DIR)
  const fileOf = (site: string) => path.join(dir, `${site}.txt`)
  const ensureDir = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
  }

  function info(site: string): CookieSiteInfo | undefined {
    let text: string
    let mtime: Date
    try {
      text = readFileSync(fileOf(site), 'utf8')
      mtime = statSync(fileOf(site)).mtime
    } catch {
      return undefined
    }
    let parsed: ParsedCookies
    try {
      parsed = parseCookiesFile(text, site)
    } catch {
      return { site, cookies: 0, earliest_expiry: null, updated_at: mtime.toISOString() }
    }
    return { site, cookies: parsed.cookies.length, earliest_expiry: parsed.earliest_expiry?.toISOString() ?? null, updated_at: mtime.toISOString() }
  }

  function sites(): string[] {
    try {
      return readdirSync(dir)
        .filter((name) => name.endsWith('.txt') && !name.startsWith('.'))
        .map((name) => name.slice(0, -'.txt'.length))
        .filter((name) => SITE.test(name))
        .sort()
    } catch {
      return []
    }
  }

  return {
    dir,

    /** Creates the folder (0700), so it can be watched before the first upload. */
    ensureDir,

    /** Validates and stores the cookies for a site, replacing any before. Throws InvalidCookiesError. */
    put(siteName: string, text: string): CookieSiteInfo & { skipped: number } {
      const site = normalizeSite(siteName)
      const parsed = parseCookiesFile(text, site)
      ensureDir()
      const temp = path.join(dir, `.${site}.${randomBytes(6).toString('hex')}.tmp`)
      const fd = openSync(temp, 'w', 0o600)
      try {
        writeSync(fd, formatCookiesFile(parsed))
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(temp, fileOf(site))
      return { ...info(site)!, skipped: parsed.skipped }
    },

    /** The stored form of a site name; throws InvalidSiteError. */
    normalize: normalizeSite,

    /** Sites with stored cookies, sorted. */
    sites,

    /** Facts about every stored site. */
    list(): CookieSiteInfo[] {
      return sites().flatMap((site) => info(site) ?? [])
    },

    /** Facts about one site, undefined when it has none. */
    get(siteName: string): CookieSiteInfo | undefined {
      return info(normalizeSite(siteName))
    },

    /** Forgets a site's cookies; false when there were none. */
    remove(siteName: string): boolean {
      const site = normalizeSite(siteName)
      try {
        rmSync(fileOf(site))
        return true
      } catch {
        return false
      }
    },

    /** When the site's cookies were last stored (ms), or undefined. */
    storedAtMs(site: string): number | undefined {
      try {
        return statSync(fileOf(site)).mtimeMs
      } catch {
        return undefined
      }
    },

    /**
     * A private copy for one attempt: the downloader rewrites the file it is given at exit, which
     * must neither change the stored cookies nor race with a second download of the same site.
     */
    copyForAttempt(site: string, jobId: string): string {
      const attempts = path.join(dir, ATTEMPTS_DIR)
      mkdirSync(attempts, { recursive: true, mode: 0o700 })
      const copy = path.join(attempts, `${jobId}.txt`)
      copyFileSync(fileOf(site), copy)
      chmodSync(copy, 0o600)
      return copy
    },

    /** Removes every attempt copy (start-up: copies left by a crash). */
    clearAttemptCopies(): void {
      rmSync(path.join(dir, ATTEMPTS_DIR), { recursive: true, force: true })
    },
  }
}

export { InvalidCookiesError }
export type CookieStore = ReturnType<typeof createCookieStore>
