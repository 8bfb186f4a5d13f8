// The health report of SPEC §2: what is wrong, said without secrets or paths.
import type { Config } from '../core/config.js'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { Health } from '../core/shapes.js'
import type { WorkerStatus } from '../jobs/worker.js'
import type { DiskStatus, DownloaderStatus } from '../jobs/preflight.js'

/** Where the report's facts come from (the worker and preflight checks; tests substitute them). */
export interface HealthProbes {
  worker(): WorkerStatus
  disk(): Promise<DiskStatus>
  downloader(): Promise<DownloaderStatus>
}

export interface HealthServiceDeps {
  config: Config
  downloads: DownloadsRepository
  probes: HealthProbes
  version: string
  startedAt: number
}

/** yt-dlp versions are dates; extractors for TikTok/Instagram break within months. */
const YTDLP_MAX_AGE_DAYS = 365

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
      const worker = deps.probes.worker()
      if (!worker.running) checks.push({ name: 'worker', status: 'fail', message: 'download worker is not running' })
      const [disk, downloader] = await Promise.all([deps.probes.disk(), deps.probes.downloader()])
      if (!disk.ok) {
        checks.push({ name: 'disk', status: 'warn', message: 'free disk below storage.min_free_disk_mb; downloads paused' })
      }
      if (!downloader.available) {
        checks.push({ name: 'downloader', status: 'warn', message: 'yt-dlp not found (ytdlp.path); downloads paused' })
      } else if (isOld(downloader.version)) {
        checks.push({ name: 'downloader', status: 'warn', message: `yt-dlp ${downloader.version} is over a year old; update it` })
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
        downloader,
        checks,
      }
    },
  }
}

function isOld(version: string | null): boolean {
  const match = version && /^(\d{4})\.(\d{2})\.(\d{2})/.exec(version)
  if (!match) return false
  const released = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return Date.now() - released > YTDLP_MAX_AGE_DAYS * 24 * 60 * 60 * 1000
}

export type HealthService = ReturnType<typeof createHealthService>
