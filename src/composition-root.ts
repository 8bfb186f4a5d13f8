// Wires repositories, services and the worker over one open database. main.ts and the tests
// share this, so what is tested is what runs. Nothing here starts: main.ts starts the worker.
import { resolvePaths, type Config } from './core/config.js'
import type { Db } from './db/open.js'
import type { Logger } from './core/logger.js'
import { createDownloadsRepository } from './db/downloads-repository.js'
import { createApiKeysRepository } from './db/api-keys-repository.js'
import { createKeyVerifier } from './keys/key-verifier.js'
import { DownloadEvents } from './core/events.js'
import { createHealthService, type HealthProbes } from './status/health.js'
import { createMetrics } from './status/metrics.js'
import { createSubmissionService } from './intake/submission-service.js'
import { createGroupCommit } from './db/group-commit.js'
import { DownloadWorker, type WorkerDeps } from './jobs/worker.js'
import { checkDisk } from './jobs/preflight.js'
import type { AppDeps } from './http/app.js'
import { VERSION } from './core/version.js'
import { createNotificationsRepository } from './db/notifications-repository.js'
import { NotificationDispatcher, type DispatcherDeps } from './notify/dispatcher.js'
import { publicBaseUrl } from './core/public-address.js'

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
  /** notification seams for tests (fetch, clock, sweep interval) */
  notifier?: Partial<Pick<DispatcherDeps, 'fetch' | 'now' | 'sweepMs' | 'timeoutMs' | 'baseUrl'>>
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
    // The worker's cached answer: a health check never starts a yt-dlp process of its own.
    downloader: () => worker.downloaderStatus(),
  }
  const notifications = createNotificationsRepository(db)
  const notifier = new NotificationDispatcher({
    config,
    notifications,
    downloads,
    events,
    log,
    dataDir: paths.dataDir,
    baseUrl: publicBaseUrl(config),
    ...options.notifier,
  })
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
    submissions: createSubmissionService({ config, downloads, events, groupCommit: createGroupCommit(db), ...(options.resolve ? { resolve: options.resolve } : {}) }),
    metrics: createMetrics({ downloads, events, activeDownloads: () => worker.status().active }),
    notifications,
    notifier,
  }
  return { ...deps, apiKeys, worker, notifier, paths }
}

export type Services = ReturnType<typeof createServices>
