// The download worker: takes pending jobs from the database as soon as a slot is free, runs yt-dlp
// for each, and records the outcome. It is woken by 'queued' events (no polling delay before
// pickup), by a timer set to the earliest scheduled retry, and by its own jobs finishing. The
// database is the truth; this class only holds the running processes. What users do to a
// download (cancel, retry, delete) lives in download-actions.ts, which drives this class.
import type { Logger } from 'pino'
import { resolvePaths, type Config } from '../core/config.js'
import { loadOrCreateServerId } from '../process/attempt-marker.js'
import type { JobsRepository } from '../db/jobs-repository.js'
import type { DownloadEvents } from '../core/events.js'
import type { DownloadRow } from '../core/types.js'
import type { HealthWorker } from '../core/shapes.js'
import type { AttemptControl } from './download-actions.js'
import { runAttempt, type AttemptDeps, type RunningJob } from './job-attempt.js'
import type { AttemptSetup } from './attempt-setup.js'
import { checkDisk, checkDownloader, statfsFreeBytes, type DownloaderStatus, type FreeDiskBytes } from './preflight.js'
import { createQueueGate, type PauseReason, type QueueGate } from './queue-gate.js'
import { downloadPost, type DownloadPost } from './post/download-post.js'
import { createFinishedJournal, type FinishedJournal } from './finished-journal.js'

export const WorkerState = { idle: 'idle', running: 'running', stopping: 'stopping', stopped: 'stopped' } as const
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState]
export { PauseReason } from './queue-gate.js'

/** What the health route shows about the worker. */
export type WorkerStatus = HealthWorker & { paused: PauseReason | null }

export interface WorkerDeps {
  jobs: JobsRepository
  config: Config
  events: DownloadEvents
  log: Logger
  /** absolute downloads folder (the composition root resolves it) */
  downloadsDir: string
  /** clock for timestamps and retry times (tests) */
  now?: () => Date
  /** [0, 1) source for retry jitter (tests) */
  random?: () => number
  /** free-space probe; the real one uses statfs (tests simulate a full disk) */
  freeDiskBytes?: FreeDiskBytes
  /** yt-dlp probe (tests simulate a missing yt-dlp) */
  checkDownloader?: (ytdlpPath: string) => Promise<DownloaderStatus>
  /** how often a paused queue looks again */
  pauseRecheckMs?: number
  /** how often a missing yt-dlp is looked for again */
  downloaderRecheckMs?: number
  /** SIGTERM → SIGKILL grace period for yt-dlp */
  killGraceMs?: number
  /** this server's id (attempt-marker.ts); default: the one kept in storage.data_dir */
  serverId?: string
  /** how often free disk is checked while downloads run (0: never) */
  diskWatchMs?: number
  /** replaces downloadPost (tests only) */
  downloadPost?: DownloadPost
  /** per attempt: which downloader files run and the site's cookies (tools and logins) */
  attemptSetup?: AttemptSetup
  /**
   * the downloaders' egress proxy (src/egress). Required, in tests too: a worker that could be built
   * without it would be one refactoring away from downloaders reaching the server's own network.
   */
  egress: AttemptDeps['egress']
  /** finished posts not yet in the database (finished-journal.ts); default: in storage.data_dir */
  finished?: FinishedJournal
}

interface ActiveJob extends RunningJob {
  /** settles when the attempt's outcome is recorded */
  done: Promise<void>
}

/** Longest timer; re-reading the schedule now and then also covers clock jumps. */
const MAX_TIMER_MS = 60 * 60 * 1000

export class DownloadWorker implements AttemptControl {
  #state: WorkerState = WorkerState.idle
  readonly #active = new Map<string, ActiveJob>()
  #filling: Promise<void> | undefined
  #fillAgain = false
  #timer: NodeJS.Timeout | undefined
  #diskTimer: NodeJS.Timeout | undefined
  #diskChecking = false
  #userAgentTurn = 0
  readonly #jobs: JobsRepository
  readonly #deps
  readonly #attemptDeps: AttemptDeps
  readonly #gate: QueueGate
  readonly #onQueued = () => this.#wake()

  constructor(deps: WorkerDeps) {
    // The type says so; this holds for callers the compiler does not see (JavaScript, casts).
    if (typeof deps.egress?.openAttempt !== 'function') throw new TypeError('the download worker needs the egress proxy: no downloader runs around it')
    this.#deps = {
      now: () => new Date(),
      random: Math.random,
      freeDiskBytes: statfsFreeBytes,
      checkDownloader,
      pauseRecheckMs: 5_000,
      downloaderRecheckMs: 30_000,
      killGraceMs: 3_000,
      diskWatchMs: 2_000,
      downloadPost,
      ...deps,
      serverId: deps.serverId ?? loadOrCreateServerId(resolvePaths(deps.config).dataDir),
      finished: deps.finished ?? createFinishedJournal(resolvePaths(deps.config).dataDir),
    }
    this.#jobs = deps.jobs
    this.#attemptDeps = this.#deps
    this.#gate = createQueueGate(this.#deps)
  }

  /** Starts taking jobs. Call recoverInterruptedJobs first. */
  start(): void {
    if (this.#state !== WorkerState.idle) throw new Error(`the download worker cannot start: it is ${this.#state}`)
    this.#state = WorkerState.running
    this.#deps.events.on('queued', this.#onQueued)
    this.#wake()
  }

  /**
   * Stops taking jobs, stops running yt-dlp process trees, puts their jobs back to pending and
   * waits for all of it. Safe to call more than once.
   */
  async stop(): Promise<void> {
    if (this.#state === WorkerState.running) {
      this.#state = WorkerState.stopping
      this.#deps.events.off('queued', this.#onQueued)
      clearTimeout(this.#timer)
      clearInterval(this.#diskTimer)
      for (const job of this.#active.values()) {
        job.stopReason ??= 'shutdown'
        job.controller.abort()
      }
    }
    await this.#filling
    await Promise.allSettled([...this.#active.values()].map((job) => job.done))
    this.#state = WorkerState.stopped
  }

  /** Stops the job's running attempt, if there is one, and waits until its process tree is gone. */
  async stopAttempt(id: string, reason: 'cancel'): Promise<boolean> {
    const job = this.#active.get(id)
    if (!job) return false
    job.stopReason = reason
    job.controller.abort()
    await job.done
    return true
  }

  /** Looks for work now (download-actions calls it when a job became pending again). */
  wake(): void {
    this.#wake()
  }

  status(): WorkerStatus {
    return {
      running: this.#state === WorkerState.running,
      active: this.#active.size,
      max_concurrent: this.#deps.config.downloads.max_concurrent,
      paused: this.#gate.paused(),
    }
  }

  /** yt-dlp's availability and version, cached: the health route can ask on every request. */
  downloaderStatus(): Promise<DownloaderStatus> {
    return this.#gate.downloaderStatus()
  }

  #nowIso(): string {
    return this.#deps.now().toISOString()
  }

  /** Fills free slots. Concurrent wake-ups collapse into one more pass. */
  #wake(): void {
    if (this.#state !== WorkerState.running) return
    if (this.#filling) {
      this.#fillAgain = true
      return
    }
    this.#filling = this.#fillSlots()
      .catch((err: unknown) => {
        this.#deps.log.error({ err }, 'download queue check failed; trying again shortly')
        this.#setTimer(this.#deps.pauseRecheckMs)
      })
      .finally(() => {
        this.#filling = undefined
        if (this.#fillAgain) {
          this.#fillAgain = false
          this.#wake()
        }
      })
  }

  async #fillSlots(): Promise<void> {
    const { config } = this.#deps
    while (this.#active.size < config.downloads.max_concurrent) {
      this.#fillAgain = false
      const pause = await this.#gate.check()
      // Re-checked after every await: nothing may start once stop() has begun.
      if (this.#state !== WorkerState.running) return
      if (pause) return this.#setTimer(this.#deps.pauseRecheckMs)
      const row = await this.#jobs.claimNext(this.#nowIso())
      if (!row) return this.#setTimerForNextRetry()
      // stop() began while the claim was on its way to the writer: the job goes back, uncounted.
      if (this.#state !== WorkerState.running) return void (await this.#jobs.requeue(row.id, this.#nowIso()))
      this.#startJob(row)
    }
  }

  #setTimerForNextRetry(): void {
    const next = this.#jobs.earliestScheduledAttempt()
    if (next === undefined) return clearTimeout(this.#timer)
    this.#setTimer(Date.parse(next) - this.#deps.now().getTime())
  }

  #setTimer(delayMs: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#wake(), Math.min(Math.max(delayMs, 0), MAX_TIMER_MS))
    // The HTTP server keeps the process alive; a lone timer must not (tests, CLI).
    this.#timer.unref()
  }

  #startJob(row: DownloadRow): void {
    const job: ActiveJob = { row, controller: new AbortController(), stopReason: null, done: Promise.resolve() }
    this.#active.set(row.id, job)
    this.#watchDisk()
    this.#deps.events.emit('status', { id: row.id, status: row.status })
    job.done = runAttempt(job, this.#nextUserAgent(), this.#attemptDeps)
      .then((outcome) => {
        if (outcome === 'downloader_missing') this.#gate.markDownloaderMissing()
        // Before the wake below: the queue must see the pause before it starts the next job.
        if (outcome === 'disk_full') return this.#gate.markDiskFull()
      })
      .catch((err: unknown) =>
        this.#deps.log.error({ err, download_id: row.id, client_id: row.client_id }, 'could not record the end of a download'),
      )
      .finally(() => {
        this.#active.delete(row.id)
        this.#wake()
      })
  }

  /**
   * While downloads run, free disk is checked every diskWatchMs: below storage.min_free_disk_mb
   * every running download is stopped (its partial files go with it) and waits for space as
   * pending with waiting_reason disk_low; the queue gate keeps it waiting until space returns.
   */
  #watchDisk(): void {
    if (this.#diskTimer !== undefined || this.#deps.diskWatchMs <= 0) return
    this.#diskTimer = setInterval(() => void this.#checkDiskWhileDownloading(), this.#deps.diskWatchMs)
    this.#diskTimer.unref()
  }

  async #checkDiskWhileDownloading(): Promise<void> {
    if (this.#active.size === 0 || this.#state !== WorkerState.running) {
      clearInterval(this.#diskTimer)
      this.#diskTimer = undefined
      return
    }
    if (this.#diskChecking) return
    this.#diskChecking = true
    try {
      const { config, downloadsDir, freeDiskBytes, log } = this.#deps
      const disk = await checkDisk(downloadsDir, config.storage.min_free_disk_mb, freeDiskBytes)
      // An unreadable file system stops nothing that runs; the gate still holds new work back.
      if (disk.ok || disk.free_bytes === null) return
      const stopping = [...this.#active.values()].filter((job) => job.stopReason === null)
      if (stopping.length === 0) return
      log.warn({ free_bytes: disk.free_bytes, min_free_disk_mb: config.storage.min_free_disk_mb, stopped: stopping.length },
        'free disk fell below storage.min_free_disk_mb during downloads: stopped them; they resume when space is free')
      for (const job of stopping) {
        job.stopReason = 'disk_low'
        job.controller.abort()
      }
    } finally {
      this.#diskChecking = false
    }
  }

  #nextUserAgent(): string | null {
    const agents = this.#deps.config.ytdlp.user_agents
    if (agents.length === 0) return null
    return agents[this.#userAgentTurn++ % agents.length] ?? null
  }
}
