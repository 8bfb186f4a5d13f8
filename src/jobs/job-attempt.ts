// One attempt at one claimed job, from downloading the post to writing the outcome: completed, retry
// scheduled, failed, or back to pending when the attempt was interrupted rather than failed.
// The worker decides when attempts start; this module decides what their end means.
import type { Logger } from 'pino'
import type { Config } from '../core/config.js'
import type { JobsRepository } from '../db/jobs-repository.js'
import type { DownloadEvents } from '../core/events.js'
import type { CompletedDownload, DownloadProgress, DownloadRow } from '../core/types.js'
import { classifyPostFailure, EgressUnavailableError, isDiskFull, isYtDlpMissing } from './post/classify-failure.js'
import type { DownloadPost } from './post/download-post.js'
import { recordCompletion } from './record-completion.js'
import { newAttemptMarker } from '../process/attempt-marker.js'
import { retryDelayMs } from './retry-policy.js'
import type { AttemptSetup } from './attempt-setup.js'
import { YtDlpRunError } from './ytdlp/runner.js'
import type { EgressLease, EgressProxy } from '../egress/egress-proxy.js'
import type { Refusal } from '../egress/destination-check.js'
import type { FinishedJournal } from './finished-journal.js'
import { WritesStoppedError } from '../db/deferred-writes.js'

/** A claimed job while its attempt runs. */
export interface RunningJob {
  row: DownloadRow
  controller: AbortController
  /** set before aborting, so the end of the attempt is read as intended, not as a failure */
  stopReason: 'cancel' | 'shutdown' | 'disk_low' | null
}

/** How an attempt ended, as far as the worker cares. */
export type AttemptOutcome = 'completed' | 'retry_scheduled' | 'failed' | 'cancelled' | 'requeued' | 'downloader_missing' | 'login_required' | 'disk_full'

export interface AttemptDeps {
  jobs: JobsRepository
  events: DownloadEvents
  config: Config
  downloadsDir: string
  /** the worker's logger; a child with download_id and client_id is made per job */
  log: Logger
  now: () => Date
  random: () => number
  killGraceMs: number
  /** this server's id (attempt-marker.ts): every attempt's processes carry it */
  serverId: string
  downloadPost: DownloadPost
  /** per attempt: the downloader files to run and the site's cookies (default: the config as it is) */
  attemptSetup?: AttemptSetup
  /** the downloaders' egress proxy (src/egress): each attempt gets its own token; required, no direct way */
  egress: Pick<EgressProxy, 'openAttempt'>
  /** where a finished post is recorded until its completion is in the database (finished-journal.ts) */
  finished: FinishedJournal
}

const PROGRESS_WRITE_INTERVAL_MS = 1_000
const DISK_FULL_ERROR = { code: 'disk_full', message: 'The disk ran full during the download. It starts again by itself once space is freed.' }
const PROGRESS_EVENT_INTERVAL_MS = 250

/** Runs the attempt and records its outcome. Rejects only when the database cannot be written. */
export async function runAttempt(job: RunningJob, userAgent: string | null, deps: AttemptDeps): Promise<AttemptOutcome> {
  const { row } = job
  const { jobs, events, downloadsDir } = deps
  const log = deps.log.child({ download_id: row.id, client_id: row.client_id })
  const iso = () => deps.now().toISOString()
  log.info({ url: row.url, attempt: row.retry_count + 1 }, 'download started')
  const startedMs = Date.now()
  const progress = createProgressReporter(row.id, deps, log)
  const prepared = deps.attemptSetup?.(row)
  let lease: EgressLease | undefined
  try {
    lease = await openEgress(deps, row.id)
    const done = await deps.downloadPost({
      download: { id: row.id, url: row.url },
      config: prepared?.config ?? deps.config,
      downloadsDir,
      signal: job.controller.signal,
      userAgent,
      proxy: lease.url,
      killGraceMs: deps.killGraceMs,
      attemptMarker: newAttemptMarker(deps.serverId, row.id),
      log,
      now: deps.now,
      onSpawn: (pid) => recordPid(row.id, pid, deps, log),
      onProgress: progress.report,
    })
    progress.finish(done.files.reduce((sum, file) => sum + file.file_size, 0))
    const recorded = await keepFinished(deps.finished, row.id, done, log)
    const completed = await recordCompletion(row.id, done, iso(), { jobs, events, downloadsDir, log })
    // In the database now (or cancelled, its files gone): the record has done its work.
    if (recorded) await deps.finished.forget(row.id).catch((err: unknown) => log.warn({ err }, 'could not remove the record of a finished download'))
    if (!completed) return 'cancelled'
    const first = done.files[0]!
    log.info({ downloader: done.downloader, files: done.files.length, file_path: first.file_path, file_size: first.file_size, duration_ms: Date.now() - startedMs }, 'download completed')
    return 'completed'
  } catch (err) {
    // Shutdown gave up a job state the database kept refusing: the row stays downloading, and the
    // next start adopts the finished files (or runs the job again). Any other write could only lie.
    if (err instanceof WritesStoppedError) throw err
    return await recordFailure(job, err, deps, log, prepared?.cookieSite ?? null, lease?.refusals() ?? [])
  } finally {
    lease?.close()
    prepared?.release()
  }
}

/**
 * Records the finished post before its completion is written, so a kill or a database that refuses
 * until shutdown cannot make the restart download it again (recovery adopts it). Not fatal: without
 * the record the completion is still written; only that protection is missing.
 */
async function keepFinished(finished: FinishedJournal, id: string, done: CompletedDownload, log: Logger): Promise<boolean> {
  try {
    await finished.keep(id, done)
    return true
  } catch (err) {
    log.warn({ err }, 'could not record the finished download before writing its completion')
    return false
  }
}

/** The attempt's way out; without a running proxy no downloader starts (EgressUnavailableError). */
async function openEgress(deps: AttemptDeps, id: string): Promise<EgressLease> {
  try {
    return await deps.egress.openAttempt(id)
  } catch (err) {
    throw new EgressUnavailableError((err as Error).message)
  }
}

async function recordFailure(job: RunningJob, err: unknown, deps: AttemptDeps, log: Logger, cookieSite: string | null, refusals: readonly Refusal[]): Promise<AttemptOutcome> {
  const { id, retry_count } = job.row
  const { jobs, events } = deps
  const iso = () => deps.now().toISOString()
  if (job.stopReason === 'cancel') {
    log.info('download cancelled')
    return 'cancelled'
  }
  if (job.stopReason === 'disk_low') {
    // Stopped by the disk guard, not failed: waits for space without counting a retry.
    const waiting = await jobs.waitForDisk(id, iso())
    if (waiting) events.emit('status', { id, status: waiting.status, error_message: waiting.error_message })
    log.info('download stopped: free disk below storage.min_free_disk_mb; waits for space')
    return 'requeued'
  }
  const missingDownloader = isYtDlpMissing(err)
  if (job.stopReason === 'shutdown' || missingDownloader) {
    // Interrupted, not failed: back to the queue without counting a retry.
    const requeued = await jobs.requeue(id, iso())
    if (requeued) events.emit('status', { id, status: requeued.status, error_message: requeued.error_message })
    log.info({ reason: missingDownloader ? (err as Error).message : 'shutdown' }, 'download interrupted; back to pending')
    return missingDownloader ? 'downloader_missing' : 'requeued'
  }

  if (isDiskFull(err)) {
    // Out of space faster than the disk guard looks: not the link's fault. It waits like a job the
    // guard stopped (its partial files are gone already), no retry counted; the worker pauses the
    // queue until space is freed (queue-gate.ts), so it does not fill the disk again at once.
    const waiting = await jobs.waitForDisk(id, iso(), DISK_FULL_ERROR)
    if (waiting) events.emit('status', { id, status: waiting.status, error_message: waiting.error_message })
    log.warn({ error_code: 'disk_full', stderr: err instanceof YtDlpRunError ? err.stderr.slice(-500) : undefined }, 'download ran out of disk space; waits until space is freed')
    return 'disk_full'
  }
  const verdict = classifyPostFailure(err, deps.config, refusals)
  const error = { code: verdict.code, message: verdict.message }
  const details = { error_code: verdict.code, kind: verdict.kind, stderr: err instanceof YtDlpRunError ? err.stderr.slice(-2000) : undefined, refused: refusals.length ? refusals : undefined }
  if (verdict.code === 'login_required') {
    // Not a failure: it waits for cookies (no retry counted); new cookies for the site resume it.
    const row = await jobs.waitForLogin(id, error, iso())
    if (row) events.emit('status', { id, status: row.status, error_message: row.error_message })
    log.warn({ ...details, cookies_used: cookieSite !== null }, 'download waits for a login: upload cookies for the site')
    return 'login_required'
  }
  const delayMs = verdict.kind === 'transient' ? retryDelayMs(retry_count, deps.config.downloads.retry_delays_seconds, deps.random) : undefined
  if (delayMs !== undefined) {
    const nextAttemptAt = new Date(deps.now().getTime() + delayMs).toISOString()
    const row = await jobs.scheduleRetry(id, error, nextAttemptAt, iso())
    if (row) events.emit('status', { id, status: row.status, error_message: row.error_message })
    log.warn({ ...details, retry_count: retry_count + 1, next_attempt_at: nextAttemptAt }, 'download failed; will retry')
    return 'retry_scheduled'
  }
  const row = await jobs.fail(id, error, iso())
  if (row) events.emit('status', { id, status: row.status, error_message: row.error_message })
  log.warn({ ...details, err: err instanceof YtDlpRunError ? undefined : err }, 'download failed')
  return 'failed'
}

function recordPid(id: string, pid: number, deps: AttemptDeps, log: Logger): void {
  // Not awaited: the download goes on while the writer stores it. Recovery also finds leftovers by
  // the work folder on their command line, so a refusal is not fatal.
  deps.jobs.recordPid(id, pid, deps.now().toISOString()).catch((err: unknown) => log.warn({ err, pid }, 'could not store the yt-dlp pid'))
}

/**
 * Progress goes out as events up to 4 times a second (for SSE); the database gets one write a second.
 * finish() sends the last one, all bytes done, so a progress bar never stops short of its end
 * (throttling may have dropped the downloader's own last line).
 */
function createProgressReporter(id: string, deps: AttemptDeps, log: Logger) {
  let lastEventMs = 0
  let lastWriteMs = 0
  let last: DownloadProgress | undefined
  const finish = (fileSize: number) => {
    const total = last?.total_bytes ?? last?.downloaded_bytes ?? fileSize
    deps.events.emit('progress', { id, progress: { percent: 100, downloaded_bytes: total, total_bytes: total, speed_bps: null, eta_seconds: 0 } })
  }
  const report = (progress: DownloadProgress) => {
    last = progress
    const nowMs = Date.now()
    if (nowMs - lastEventMs >= PROGRESS_EVENT_INTERVAL_MS || progress.percent === 100) {
      lastEventMs = nowMs
      deps.events.emit('progress', { id, progress })
    }
    if (nowMs - lastWriteMs < PROGRESS_WRITE_INTERVAL_MS) return
    lastWriteMs = nowMs
    // Not awaited (a nicety: the download goes on); coalesced while the writer is busy.
    deps.jobs.writeProgress(id, progress, deps.now().toISOString()).catch((err: unknown) => log.warn({ err }, 'could not store download progress'))
  }
  return { report, finish }
}
