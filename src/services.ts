// Wires repositories, services and the worker over one open database. main.ts and the tests
// share this, so what is tested is what runs. Nothing here starts: main.ts starts the worker.
import type { Config } from './config.js'
import { resolvePaths } from './config.js'
import type { Db } from './db/open.js'
import type { Logger } from './logger.js'
import { createDownloadsRepository } from './db/downloads-repository.js'
import { createApiKeysRepository } from './db/api-keys-repository.js'
import { createKeyVerifier } from './api-keys.js'
import { DownloadEvents } from './events.js'
import { createHealthService, type HealthProbes } from './health.js'
import { createMetrics } from './metrics.js'
import { createSubmissionService } from './submissions.js'
import { DownloadWorker, type WorkerDeps } from './jobs/worker.js'
import { checkDisk, checkDownloader, type DownloaderStatus } from './jobs/preflight.js'
import type { AppDeps } from './http/app.js'
import { VERSION } from './version.js'

export interface ServiceOptions {
  config: Config
  db: Db
  log: Logger
  startedAt?: number
  /** DNS for allowed_domains "*" (tests inject one) */
  resolve?: (host: string) => Promise<string[]>
  /** worker seams for tests (clock, disk probe, ...) */
  worker?: Partial<Omit<WorkerDeps, 'db' | 'config' | 'events' | 'log' | 'downloadsDir'>>
  /** replaces the health probes (tests) */
  probes?: (worker: DownloadWorker) => HealthProbes
  /** PEM of the local CA offered at /ca.crt, when the server made one */
  caCert?: () => string | null
}

/** Asking yt-dlp its version starts a Python process: health answers from a one-minute cache. */
const DOWNLOADER_CACHE_MS = 60_000

function cachedDownloaderCheck(path: string, check: (path: string) => Promise<DownloaderStatus>) {
  let cached: { at: number; status: Promise<DownloaderStatus> } | undefined
  const probe = () => {
    if (!cached || Date.now() - cached.at > DOWNLOADER_CACHE_MS) cached = { at: Date.now(), status: check(path) }
    return cached.status
  }
  // Started now, so it runs alongside the rest of start-up instead of delaying the first health check.
  void probe()
  return probe
}

export function createServices(options: ServiceOptions) {
  const { config, db, log } = options
  const paths = resolvePaths(config)
  const downloads = createDownloadsRepository(db)
  const apiKeys = createApiKeysRepository(db)
  const events = new DownloadEvents()
  const worker = new DownloadWorker({ db, config, events, log, downloadsDir: paths.downloadsDir, ...options.worker })
  const probes: HealthProbes = options.probes?.(worker) ?? {
    worker: () => worker.status(),
    disk: () => checkDisk(paths.downloadsDir, config.storage.min_free_disk_mb, options.worker?.freeDiskBytes),
    downloader: cachedDownloaderCheck(config.ytdlp.path, options.worker?.checkDownloader ?? checkDownloader),
  }
  const deps: AppDeps = {
    config,
    db,
    log,
    version: VERSION,
    downloadsDir: paths.downloadsDir,
    caCert: options.caCert ?? (() => null),
    downloads,
    events,
    worker,
    keys: createKeyVerifier(config.security, apiKeys),
    health: createHealthService({ config, downloads, version: VERSION, startedAt: options.startedAt ?? Date.now(), probes }),
    submissions: createSubmissionService({ config, downloads, events, ...(options.resolve ? { resolve: options.resolve } : {}) }),
    metrics: createMetrics({ downloads, events, activeDownloads: () => worker.status().active }),
  }
  return { ...deps, apiKeys, worker, paths }
}

export type Services = ReturnType<typeof createServices>
