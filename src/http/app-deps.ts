// Everything the HTTP layer needs, passed in by the composition root (no globals). Its own module
// so that app.ts, the plugins and the routes all import it without importing each other.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../core/config.js'
import type { DownloadFilesRepository } from '../db/download-files-repository.js'
import type { FileLinks } from '../links/file-links.js'
import type { FileLinker } from './download-view.js'
import type { FinalStatusWaiters } from './final-status-waiters.js'
import type { DownloadEvents } from '../core/events.js'
import type { Logger } from '../core/logger.js'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { SubmissionService } from '../intake/submission-service.js'
import type { DownloadActions } from '../jobs/download-actions.js'
import type { DownloadWorker } from '../jobs/worker.js'
import type { KeyVerifier } from '../keys/key-verifier.js'
import type { SessionTokens } from '../sessions/session-tokens.js'
import type { HealthService } from '../status/health.js'
import type { Metrics } from '../status/metrics.js'
import type { NotificationsRepository } from '../db/notifications-repository.js'
import type { NotificationDispatcher } from '../notify/dispatcher.js'
import type { PairingService } from '../pairing/pairing-service.js'
import type { ShortcutSigner } from '../pairing/shortcut-files/shortcut-signer.js'
import type { ToolsManager } from '../tools/tools-manager.js'
import type { CookieStore } from '../logins/cookie-store.js'
import type { LoginWaits } from '../logins/login-waits.js'

export interface AppDeps {
  config: Config
  downloads: DownloadsRepository
  /** the files of each download */
  files: DownloadFilesRepository
  /** the links of files for the caller of a request (signed links; see links/file-links) */
  linkerFor: (request: FastifyRequest) => FileLinker
  /** makes and checks signed file links */
  fileLinks: FileLinks
  /** long polls waiting for a download to end (GET /status/{id}?wait=N) */
  statusWaiters: FinalStatusWaiters
  keys: KeyVerifier
  /** the web UI's session cookies (POST/DELETE /api/v1/session) */
  sessions: SessionTokens
  events: DownloadEvents
  health: HealthService
  submissions: SubmissionService
  /** cancel, retry, delete */
  actions: DownloadActions
  worker: Pick<DownloadWorker, 'status'>
  metrics: Metrics
  /** absolute downloads folder */
  downloadsDir: string
  /** PEM of the current local CA, when the server generated one (for /ca.crt and /ca.mobileconfig) */
  caCert: () => string | null
  log: Logger
  version: string
  /** the notification outbox and push subscriptions */
  notifications: NotificationsRepository
  /** sends the outbox; the push routes read its VAPID public key */
  notifier: Pick<NotificationDispatcher, 'senderContext'>
  /** pairing codes for phones */
  pairing: PairingService
  /** the pairing page's signed Shortcut files (macOS with `shortcuts` only; null elsewhere) */
  shortcutFiles: Pick<ShortcutSigner, 'files'>
  /** the managed downloaders (GET /api/v1/tools, POST /api/v1/tools/update) */
  tools: Pick<ToolsManager, 'statuses' | 'checkNow'>
  /** per-site cookies (PUT/GET/DELETE /api/v1/cookies) */
  cookies: CookieStore
  /** resumes jobs waiting for a login when their site gets cookies */
  logins: Pick<LoginWaits, 'resumeSite'>
}
