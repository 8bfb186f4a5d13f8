// The one place that builds things: every repository and service, over one open database and
// one set of resolved paths. main.ts and the tests share it, so what is tested is what runs.
// Nothing here starts: main.ts runs recovery, then starts the worker.
import { resolvePaths, type Config } from './core/config.js'
import type { Db } from './db/open.js'
import type { Logger } from './core/logger.js'
import { createDownloadsRepository } from './db/downloads-repository.js'
import { createJobsRepository } from './db/jobs-repository.js'
import { createDownloadFilesRepository } from './db/download-files-repository.js'
import { notificationLinker, signedLinkerFor } from './http/download-views.js'
import { loadOrCreateSecret } from './notify/secret-files.js'
import { randomBytes } from 'node:crypto'
import { toDownloadView } from './http/download-view.js'
import { createFinalStatusWaiters } from './http/final-status-waiters.js'
import { createSessionTokens, SESSION_SECRET_FILE } from './sessions/session-tokens.js'
import { createFileLinks } from './links/file-links.js'
import { createLinkBases } from './links/link-base.js'
import type { DownloadRow } from './core/types.js'
import { createApiKeysRepository } from './db/api-keys-repository.js'
import { createKeyVerifier } from './keys/key-verifier.js'
import { DownloadEvents } from './core/events.js'
import { createHealthService, type HealthProbes } from './status/health.js'
import { createMetrics } from './status/metrics.js'
import { createSubmissionService } from './intake/submission-service.js'
import { createWriteHealth } from './db/write-health.js'
import type { Writer } from './db/write-targets.js'
import { createInlineWriter } from './db/writer-inline.js'
import { observedWriter } from './db/writer-observed.js'
import { createDeferredWrites } from './db/deferred-writes.js'
import { startIdempotencyPruning } from './db/idempotency-pruning.js'
import { DownloadWorker, type WorkerDeps } from './jobs/worker.js'
import { createDownloadActions } from './jobs/download-actions.js'
import { recoverInterruptedJobs } from './jobs/recovery.js'
import { loadOrCreateServerId } from './process/attempt-marker.js'
import { checkDisk, statfsFreeBytes } from './jobs/preflight.js'
import type { AppDeps } from './http/app-deps.js'
import { VERSION } from './core/version.js'
import { createNotificationsRepository } from './db/notifications-repository.js'
import { NotificationDispatcher, type DispatcherDeps } from './notify/dispatcher.js'
import { publicBaseUrl } from './core/public-address.js'
import { createPairingsRepository } from './db/pairings-repository.js'
import { createPairingService } from './pairing/pairing-service.js'
import { createShortcutSigner, type ShortcutSignerDeps } from './pairing/shortcut-files/shortcut-signer.js'
import { createToolsManager, type ToolsManagerDeps } from './tools/tools-manager.js'
import { createCookieStore } from './logins/cookie-store.js'
import { createLoginWaits } from './logins/login-waits.js'
import { createAttemptSetup } from './jobs/attempt-setup.js'
import { createEgressProxy } from './egress/egress-proxy.js'
import { createFinishedJournal } from './jobs/finished-journal.js'

export type ResolvedPaths = ReturnType<typeof resolvePaths>

export interface ServiceOptions {
  config: Config
  db: Db
  log: Logger
  /** where every write goes: main.ts passes the writer thread; default in-process on `db` (tests) */
  writer?: Writer
  /** the paths main.ts already resolved (default: resolved here from the config) */
  paths?: ResolvedPaths
  startedAt?: number
  /** DNS for allowed_domains "*" (tests inject one) */
  resolve?: (host: string) => Promise<string[]>
  /** worker seams for tests (clock, disk probe, ...) */
  worker?: Partial<Omit<WorkerDeps, 'jobs' | 'config' | 'events' | 'log' | 'downloadsDir' | 'egress'>>
  /** replaces the health probes (tests) */
  probes?: (worker: DownloadWorker) => HealthProbes
  /** PEM of the local CA offered at /ca.crt, when the server made one */
  caCert?: () => string | null
  /** notification seams for tests (fetch, clock, sweep interval) */
  notifier?: Partial<Pick<DispatcherDeps, 'fetch' | 'now' | 'sweepMs' | 'timeoutMs' | 'baseUrl'>>
  /** PEM of the current server certificate (absolute links for its names); null without TLS */
  serverCert?: () => string | null
  /** the file links' clock (tests) */
  now?: () => number
  /** tools manager seams for tests (fetch, platform, retry delay, system commands) */
  tools?: Partial<Pick<ToolsManagerDeps, 'fetch' | 'platform' | 'retryMs' | 'systemCommands' | 'now'>>
  /** signing the pairing page's Shortcuts, for tests (platform, where `shortcuts` is looked for, timeout) */
  shortcuts?: Partial<Omit<ShortcutSignerDeps, 'log'>>
}

/** The file holding the secret that signs file links, in <data_dir>. */
export const FILE_LINK_SECRET_FILE = 'file-links.secret'

/** After a downloader update, failures this recent that a release may fix are queued again. */
const REQUEUE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

export function createServices(options: ServiceOptions) {
  const { config, db, log } = options
  const paths = options.paths ?? resolvePaths(config)
  const { downloadsDir } = paths
  const rawWriter = options.writer ?? createInlineWriter(db)
  // Whether the database takes writes; job ends it refuses are kept and written when it does again.
  const writeHealth = createWriteHealth(() => rawWriter.call('health', 'probe'))
  const writer = observedWriter(rawWriter, writeHealth)
  const downloads = createDownloadsRepository(db, writer)
  const deferredWrites = createDeferredWrites({
    health: writeHealth,
    onKept: (err, waiting) => log.error({ err, waiting }, 'the database refused a job state; kept in memory and retried until it is written'),
    onWritten: (waiting) => log.info({ waiting }, 'a kept job state was written'),
  })
  const jobs = createJobsRepository(db, writer, deferredWrites)
  const apiKeys = createApiKeysRepository(db, writer)
  const events = new DownloadEvents()
  // Marks every downloader process this server starts; recovery stops only its own (attempt-marker.ts).
  const serverId = options.worker?.serverId ?? loadOrCreateServerId(paths.dataDir)
  const cookies = createCookieStore(paths.dataDir)
  const logins = createLoginWaits({ config, jobs, events, cookies, log })
  const since7Days = () => new Date(Date.now() - REQUEUE_WINDOW_MS).toISOString()
  const tools = createToolsManager({
    config,
    dataDir: paths.dataDir,
    log,
    // SPEC §3: what a new release may fix is queued again once, after each successful update.
    onUpdated: async (name) => {
      const requeued = await jobs.requeueAfterUpdate(since7Days(), new Date().toISOString())
      for (const row of requeued) {
        events.emit('status', { id: row.id, status: row.status, error_message: row.error_message })
        events.emit('queued', { id: row.id })
      }
      if (requeued.length) log.info({ tool: name, count: requeued.length }, 'downloads that failed on a site change are queued again after the update')
    },
    ...options.tools,
  })
  // SPEC §5: every downloader connection goes through it; main.ts starts it before the worker.
  const egress = createEgressProxy({
    allowedDomains: config.downloads.allowed_domains,
    onRefused: (downloadId, refusal) => log.warn({ download_id: downloadId, refused: refusal }, 'the egress proxy refused a downloader connection'),
  })
  // Finished posts whose completion is not written yet: recovery adopts them instead of downloading again.
  const finished = createFinishedJournal(paths.dataDir)
  const worker = new DownloadWorker({
    finished,
    jobs,
    config,
    events,
    log,
    downloadsDir,
    checkDownloader: () => tools.ytdlpAvailability(),
    attemptSetup: createAttemptSetup({ config, tools, cookies }),
    ...options.worker,
    // After the test seams: nothing passed in can take the downloaders around the proxy.
    egress,
    serverId,
  })
  const files = createDownloadFilesRepository(db)
  const actions = createDownloadActions({ jobs, downloads, files, events, worker, downloadsDir, ...(options.worker?.now ? { now: options.worker.now } : {}) })
  const probes: HealthProbes = options.probes?.(worker) ?? {
    worker: () => worker.status(),
    disk: () => checkDisk(downloadsDir, config.storage.min_free_disk_mb, options.worker?.freeDiskBytes),
    // Cached answers: a health check never starts a yt-dlp process of its own.
    downloader: () => tools.ytdlpAvailability(),
    tools: () => tools.statuses(),
    logins: () => logins.health(),
    egress: () => egress.status(),
    databaseDisk: () => statfsFreeBytes(paths.dataDir).catch(() => null),
  }
  const keys = createKeyVerifier(config.security, apiKeys)
  const sessions = createSessionTokens({
    secret: Buffer.from(loadOrCreateSecret(paths.dataDir, SESSION_SECRET_FILE, () => randomBytes(32).toString('base64url')), 'base64url'),
    ttlDays: config.security.session_ttl_days,
    keyMarker: (name) => keys.linkMarker(name),
    ...(options.now ? { now: options.now } : {}),
  })
  const fileLinks = createFileLinks({
    secret: Buffer.from(loadOrCreateSecret(paths.dataDir, FILE_LINK_SECRET_FILE, () => randomBytes(32).toString('base64url')), 'base64url'),
    ttlHours: config.security.file_link_ttl_hours,
    keyMarker: (name) => keys.linkMarker(name),
    requireApiKey: config.security.require_api_key,
    ...(options.now ? { now: options.now } : {}),
  })
  const linkBases = createLinkBases({
    publicUrl: config.server.public_url,
    tlsEnabled: config.tls.enabled,
    port: config.server.port,
    certificatePem: options.serverCert ?? (() => null),
  })
  /** Absolute signed links for a notification about `row` (SPEC §6), made for the key that submitted it. */
  const notificationLinks = (row: DownloadRow) => notificationLinker(fileLinks, linkBases, row)
  const notifications = createNotificationsRepository(db, writer)
  const notifier = new NotificationDispatcher({
    config,
    notifications,
    downloads,
    events,
    log,
    dataDir: paths.dataDir,
    baseUrl: publicBaseUrl(config),
    viewOf: (row) => toDownloadView(row, files.filesOf(row), notificationLinks(row)),
    ...options.notifier,
  })
  const shortcutSigner = createShortcutSigner({ log, ...options.shortcuts })
  const deps: AppDeps = {
    config,
    log,
    version: VERSION,
    downloadsDir,
    caCert: options.caCert ?? (() => null),
    downloads,
    files,
    linkerFor: signedLinkerFor(fileLinks, linkBases),
    fileLinks,
    statusWaiters: createFinalStatusWaiters(events),
    events,
    worker,
    actions,
    keys,
    sessions,
    health: createHealthService({ config, downloads, version: VERSION, startedAt: options.startedAt ?? Date.now(), probes, writes: writeHealth }),
    submissions: createSubmissionService({ config, downloads, events, ...(options.resolve ? { resolve: options.resolve } : {}) }),
    metrics: createMetrics({ downloads, events, activeDownloads: () => worker.status().active }),
    notifications,
    notifier,
    pairing: createPairingService({ config, pairings: createPairingsRepository(db, writer), keys }),
    shortcutFiles: shortcutSigner,
    tools,
    cookies,
    logins,
  }
  return {
    ...deps,
    jobs,
    apiKeys,
    worker,
    notifier,
    paths,
    tools,
    logins,
    linkBases,
    /** signs the pairing page's Shortcuts; stop() ends a signing in progress */
    shortcutSigner,
    /** the downloaders' loopback proxy: start before the worker, stop after it */
    egress,
    /** absolute signed links for a notification about a download (SPEC §6) */
    notificationLinks,
    writeHealth,
    deferredWrites,
    /** the writer as given (main.ts stops the thread it started; tests stop the in-process one) */
    writer: rawWriter,
    /** hourly pruning of idempotency keys older than 7 days; returns its stop function */
    startMaintenance: () =>
      startIdempotencyPruning({ downloads, health: writeHealth, onError: (err) => log.warn({ err }, 'pruning idempotency keys failed') }),
    /** start-up recovery after a crash; run before worker.start() */
    recover: (extra: { killGraceMs?: number } = {}) =>
      recoverInterruptedJobs({ jobs, downloadsDir, serverId, log, events, finished, isOwnJob: (id) => downloads.findById(id) !== undefined, ...extra }),
  }
}

export type Services = ReturnType<typeof createServices>
