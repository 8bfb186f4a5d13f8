// The health report of SPEC §2: what is wrong, said without secrets or paths.
import type { Config } from '../core/config.js'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { Health } from '../core/shapes.js'
import type { WorkerStatus } from '../jobs/worker.js'
import type { DiskStatus, DownloaderStatus } from '../jobs/preflight.js'
import type { LoginHealth } from '../logins/login-waits.js'
import { ageDays } from '../tools/release-assets.js'
import type { ToolStatus } from '../tools/tools-manager.js'
import type { WriteHealth } from '../db/write-health.js'
import type { EgressStatus } from '../egress/egress-proxy.js'

/** Where the report's facts come from (the worker and preflight checks; tests substitute them). */
export interface HealthProbes {
  worker(): WorkerStatus
  disk(): Promise<DiskStatus>
  downloader(): Promise<DownloaderStatus>
  /** the managed downloaders' facts (update checks); absent: nothing is managed */
  tools?(): Promise<ToolStatus[]>
  /** jobs waiting for a login, cookies about to expire */
  logins?(): Promise<LoginHealth>
  /** the downloaders' egress proxy; absent: none runs */
  egress?(): EgressStatus
  /** free bytes on the file system holding the database (null: unknown); absent: not watched */
  databaseDisk?(): Promise<number | null>
}

export interface HealthServiceDeps {
  config: Config
  downloads: DownloadsRepository
  probes: HealthProbes
  version: string
  startedAt: number
  /** whether the database takes writes (full, read-only, locked make it `degraded`) */
  writes?: WriteHealth
}

/** yt-dlp versions are dates; extractors for TikTok/Instagram break within weeks to months. */
export const YTDLP_MAX_AGE_DAYS = 90

/**
 * Below this much free space where the database lives, health says the database may refuse writes.
 * The write probe alone cannot tell: its one-page write fits into the WAL file's existing room,
 * while a submission (a row, its indexes, a checkpoint growing the file) gets SQLITE_FULL.
 */
export const DATABASE_MIN_FREE_BYTES = 2 * 1024 * 1024

export function createHealthService(deps: HealthServiceDeps) {
  return {
    async report(): Promise<Health> {
      const checks: Health['checks'] = []
      let counts: ReturnType<DownloadsRepository['countsByStatus']> | undefined
      try {
        counts = deps.downloads.countsByStatus()
      } catch {
        checks.push({ name: 'database', status: 'fail', message: 'database unreachable' })
      }
      if (counts) {
        await deps.writes?.recheck()
        const problem = deps.writes?.problem()
        if (problem) checks.push({ name: 'database', status: 'warn', message: problem })
        const free = (await deps.probes.databaseDisk?.()) ?? null
        if (!problem && free !== null && free < DATABASE_MIN_FREE_BYTES) {
          checks.push({ name: 'database', status: 'warn', message: 'the disk holding the database is full: submissions may be refused (503) until space is freed' })
        }
      }
      const worker = deps.probes.worker()
      if (!worker.running) checks.push({ name: 'worker', status: 'fail', message: 'download worker is not running' })
      // Downloads never run around the proxy, so a proxy that could not start stops them all.
      const egressError = deps.probes.egress?.().error ?? null
      if (egressError !== null) checks.push({ name: 'egress', status: 'fail', message: `${egressError}; downloads wait until it runs` })
      const [disk, downloader, tools, logins] = await Promise.all([
        deps.probes.disk(),
        deps.probes.downloader(),
        deps.probes.tools?.() ?? [],
        deps.probes.logins?.() ?? { waiting: [], expiring: [] },
      ])
      const age = ageDays(downloader.version, new Date())
      const ytdlp = tools.find((tool) => tool.name === 'yt-dlp')
      if (!disk.ok) {
        checks.push({ name: 'disk', status: 'warn', message: 'free disk below storage.min_free_disk_mb; downloads paused' })
      } else if (worker.paused === 'disk_full') {
        checks.push({ name: 'disk', status: 'warn', message: 'a download filled the disk; downloads wait until space is freed' })
      }
      if (!downloader.available) {
        checks.push({ name: 'downloader', status: 'warn', message: 'yt-dlp not found (ytdlp.path); downloads paused' })
      } else if (age !== null && age > YTDLP_MAX_AGE_DAYS) {
        const how = ytdlp?.managed ? 'the managed copy has not been updated (see the update check)' : 'update it, or set ytdlp.path: auto so the server keeps it current'
        checks.push({ name: 'downloader', status: 'warn', message: `yt-dlp ${downloader.version} is ${age} days old: ${how}` })
      }
      for (const tool of tools) {
        if (tool.managed && tool.last_check_ok === false) {
          checks.push({ name: 'downloader_update', status: 'warn', message: `${tool.name}: ${tool.failed_checks} failed update check(s) in a row: ${tool.last_check_message ?? 'no reason given'}` })
        }
      }
      for (const { site, jobs } of logins.waiting) {
        checks.push({ name: 'login', status: 'warn', message: `${site} needs a login: ${jobs} download(s) wait for cookies (vds cookies import ${site} FILE, or the web page)` })
      }
      for (const { site, earliest_expiry } of logins.expiring) {
        const past = Date.parse(earliest_expiry) <= Date.now()
        checks.push({ name: 'cookies', status: 'warn', message: `the cookies for ${site} ${past ? 'expired' : 'expire'} on ${earliest_expiry}: export fresh ones (vds cookies import ${site} FILE)` })
      }
      const failed = checks.some((c) => c.status === 'fail')
      const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null
      return {
        status: failed ? 'unhealthy' : checks.length ? 'degraded' : 'healthy',
        version: deps.version,
        uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
        timestamp: new Date().toISOString(),
        database: { connected: counts !== undefined, total_downloads: total },
        queue: {
          pending: counts?.pending ?? 0,
          downloading: counts?.downloading ?? 0,
          completed: counts?.completed ?? 0,
          failed: counts?.failed ?? 0,
        },
        worker: { running: worker.running, active: worker.active, max_concurrent: worker.max_concurrent },
        disk,
        downloader: {
          available: downloader.available,
          version: downloader.version,
          age_days: age,
          managed: ytdlp?.managed ?? false,
          last_update_check_at: ytdlp?.managed ? ytdlp.last_check_at : null,
        },
        checks,
      }
    },
  }
}

export type HealthService = ReturnType<typeof createHealthService>
