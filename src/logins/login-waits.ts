// Jobs that wait for a login (SPEC §3): which sites they name (health), and resuming them when
// new cookies for their site arrive — through the API (directly), or `vds cookies import` from
// another process (the cookies folder is watched, with a slow rescan where watching is unreliable).
import { watch, type FSWatcher } from 'node:fs'
import type { Config } from '../core/config.js'
import type { DownloadEvents } from '../core/events.js'
import type { Logger } from '../core/logger.js'
import type { JobsRepository } from '../db/jobs-repository.js'
import { siteForHost, type CookieStore } from './cookie-store.js'

/** What health shows about logins: the sites jobs wait for, and cookies about to expire. */
export interface LoginHealth {
  /** sites with jobs waiting for a login, and how many */
  waiting: Array<{ site: string; jobs: number }>
  /** stored cookies whose earliest expiry is within EXPIRY_WARNING_DAYS (or past) */
  expiring: Array<{ site: string; earliest_expiry: string }>
}

export interface LoginWaitsDeps {
  config: Config
  jobs: Pick<JobsRepository, 'listWaitingForLogin' | 'resumeFromLogin'>
  events: DownloadEvents
  cookies: CookieStore
  log: Logger
  now?: () => Date
  /** how often the cookies folder is rescanned besides watching it */
  rescanMs?: number
}

/** Health warns this long before cookies expire. */
export const EXPIRY_WARNING_DAYS = 3
const DAY_MS = 24 * 60 * 60 * 1000

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return null
  }
}

/** The site a waiting job is named by: the allowed_domains entry its link matched, else its host without www. */
export function siteOfUrl(url: string, allowedDomains: readonly string[]): string {
  const host = hostOf(url) ?? ''
  const entry = siteForHost(host, allowedDomains.filter((domain) => domain !== '*').map((domain) => domain.toLowerCase()))
  return entry ?? host.replace(/^www\./, '')
}

export function createLoginWaits(deps: LoginWaitsDeps) {
  const { cookies, log } = deps
  const now = deps.now ?? (() => new Date())
  let watcher: FSWatcher | undefined
  let rescan: NodeJS.Timeout | undefined
  const seen = new Map<string, number>()
  let started = false

  /** Resumes every job waiting for a login whose link is on `site` (or a subdomain); how many. */
  async function resumeSite(site: string): Promise<number> {
    const waiting = await deps.jobs.listWaitingForLogin()
    const ids = waiting.filter((row) => siteForHost(hostOf(row.url) ?? '', [site]) === site).map((row) => row.id)
    if (ids.length === 0) return 0
    const resumed = await deps.jobs.resumeFromLogin(ids, now().toISOString())
    for (const row of resumed) {
      deps.events.emit('status', { id: row.id, status: row.status, error_message: row.error_message })
      deps.events.emit('queued', { id: row.id })
    }
    if (resumed.length) log.info({ site, count: resumed.length }, 'new cookies: downloads that waited for a login resume')
    return resumed.length
  }

  /** Sites whose stored cookies changed since last looked at; resumes their jobs. */
  async function scan(): Promise<void> {
    for (const site of cookies.sites()) {
      const stored = cookies.storedAtMs(site)
      if (stored === undefined) continue
      const before = seen.get(site)
      seen.set(site, stored)
      if (before !== stored) await resumeSite(site)
    }
  }

  const scanSafely = () => {
    scan().catch((err: unknown) => log.warn({ err }, 'could not resume downloads waiting for cookies'))
  }

  return {
    resumeSite,

    async health(): Promise<LoginHealth> {
      const counts = new Map<string, number>()
      for (const row of await deps.jobs.listWaitingForLogin()) {
        const site = siteOfUrl(row.url, deps.config.downloads.allowed_domains)
        counts.set(site, (counts.get(site) ?? 0) + 1)
      }
      const soon = now().getTime() + EXPIRY_WARNING_DAYS * DAY_MS
      return {
        waiting: [...counts].map(([site, jobs]) => ({ site, jobs })),
        expiring: cookies
          .list()
          .flatMap((info) => (info.earliest_expiry && Date.parse(info.earliest_expiry) <= soon ? [{ site: info.site, earliest_expiry: info.earliest_expiry }] : [])),
      }
    },

    /**
     * Watches the cookies folder for imports by `vds cookies` (another process), and resumes jobs
     * whose site got cookies while the server was not running.
     */
    async start(): Promise<void> {
      if (started) return
      started = true
      cookies.ensureDir()
      cookies.clearAttemptCopies()
      for (const site of cookies.sites()) seen.set(site, cookies.storedAtMs(site) ?? 0)
      const stale = (await deps.jobs.listWaitingForLogin()).filter((row) => {
        const site = siteForHost(hostOf(row.url) ?? '', cookies.sites())
        return site !== undefined && (cookies.storedAtMs(site) ?? 0) > Date.parse(row.updated_at)
      })
      if (stale.length) await deps.jobs.resumeFromLogin(stale.map((row) => row.id), now().toISOString())
      for (const row of stale) deps.events.emit('queued', { id: row.id })
      try {
        watcher = watch(cookies.dir, { persistent: false }, scanSafely)
        watcher.on('error', () => undefined)
      } catch (err) {
        log.warn({ err }, 'cannot watch the cookies folder; imports are noticed by a rescan')
      }
      rescan = setInterval(scanSafely, deps.rescanMs ?? 30_000)
      rescan.unref()
    },

    stop(): void {
      started = false
      watcher?.close()
      watcher = undefined
      clearInterval(rescan)
    },
  }
}

export type LoginWaits = ReturnType<typeof createLoginWaits>
