// Whether the queue may start a download right now. A full disk or a missing yt-dlp pauses the
// queue instead of failing jobs: they stay pending and start by themselves once the cause is fixed.
// While no downloader can run, the pending jobs say so (waiting_reason downloader_missing), so a
// person looking at a job that does not start sees why; the reason goes once a downloader is back.
import type { Logger } from 'pino'
import type { Config } from '../core/config.js'
import type { DownloadEvents } from '../core/events.js'
import type { DownloadRow } from '../core/types.js'
import type { JobsRepository } from '../db/jobs-repository.js'
import { checkDisk, type DownloaderStatus, type FreeDiskBytes } from './preflight.js'
import { ytdlpCommand } from './ytdlp/runner.js'

/** Why the queue waits instead of starting downloads. Jobs stay pending meanwhile. */
export const PauseReason = { low_disk: 'low_disk', disk_full: 'disk_full', ytdlp_missing: 'ytdlp_missing' } as const
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason]

export interface QueueGateDeps {
  config: Config
  downloadsDir: string
  log: Logger
  freeDiskBytes: FreeDiskBytes
  checkDownloader: (ytdlpPath: string) => Promise<DownloaderStatus>
  /** how often a missing yt-dlp is looked for again */
  downloaderRecheckMs: number
  /** where the pending jobs' waiting_reason is read and written */
  jobs: Pick<JobsRepository, 'waitForDownloader' | 'downloaderFound' | 'hasPendingWithoutReason' | 'hasDownloaderMissingMarks'>
  events: DownloadEvents
  now: () => Date
}

const DISK_FULL_MARGIN_BYTES = 1024 * 1024
/** However little was freed, a download that ran out of space is tried again after this long. */
const DISK_FULL_RECHECK_MS = 15 * 60 * 1000

export function createQueueGate(deps: QueueGateDeps) {
  const { config, log } = deps
  let paused: PauseReason | null = null
  let downloader: { status: DownloaderStatus; checkedAtMs: number } | undefined
  let downloaderCheck: Promise<DownloaderStatus> | undefined
  /** whether pending jobs were last marked downloader_missing; unknown at start (a past run may have) */
  let showingMissing: boolean | undefined
  /** a download ran out of space: free bytes right after its partial files went, and when */
  let diskFull: { freeBytes: number; atMs: number } | null = null

  /**
   * After a download ran out of space, the disk is "freed" once it has more than 1 MiB more free
   * than right after that download's partial files were removed (someone deleted something), or
   * after DISK_FULL_RECHECK_MS in any case. Free space above storage.min_free_disk_mb alone is no
   * sign: that much was free when the download started, and it filled the disk.
   */
  async function spaceFreed(): Promise<boolean> {
    if (diskFull === null) return true
    const free = await deps.freeDiskBytes(deps.downloadsDir).catch(() => null)
    if ((free === null || free <= diskFull.freeBytes + DISK_FULL_MARGIN_BYTES) && Date.now() - diskFull.atMs < DISK_FULL_RECHECK_MS) return false
    diskFull = null
    return true
  }

  /**
   * A found yt-dlp stays trusted until a spawn fails (no process per health request); a missing one
   * is looked for again every downloaderRecheckMs. Concurrent callers share one check.
   */
  function downloaderStatus(): Promise<DownloaderStatus> {
    const fresh = downloader && (downloader.status.available || Date.now() - downloader.checkedAtMs < deps.downloaderRecheckMs)
    if (fresh) return Promise.resolve(downloader!.status)
    downloaderCheck ??= deps
      .checkDownloader(ytdlpCommand(config))
      .then((status) => {
        downloader = { status, checkedAtMs: Date.now() }
        return status
      })
      .finally(() => {
        downloaderCheck = undefined
      })
    return downloaderCheck
  }

  function setPaused(reason: PauseReason | null): void {
    if (reason === paused) return
    if (reason === PauseReason.disk_full) {
      log.warn({ downloads_dir: deps.downloadsDir }, 'downloads paused: a download filled the disk; free some space and they resume by themselves')
    } else if (reason === PauseReason.low_disk) {
      log.warn({ downloads_dir: deps.downloadsDir, min_free_disk_mb: config.storage.min_free_disk_mb },
        'downloads paused: free disk space is below storage.min_free_disk_mb; free some space and they resume by themselves')
    } else if (reason === PauseReason.ytdlp_missing) {
      log.warn({ ytdlp_path: config.ytdlp.path },
        'downloads paused: yt-dlp cannot be run; install it or set ytdlp.path, and they resume by themselves')
    } else {
      log.info({ was: paused }, 'downloads resumed')
    }
    paused = reason
  }

  /**
   * Marks every pending job while the downloader is missing (each check: jobs submitted meanwhile
   * too), and clears the marks once when it is back. Only what is shown: a database that refuses
   * the write must not stop the queue, so it is logged and tried again at the next check.
   * A write goes to the writer only when a cheap read on this connection finds a row it would
   * change: the queue is checked every pauseRecheckMs while paused, and an empty write still costs
   * a round trip to the writer thread and its write lock.
   */
  async function showDownloaderWait(missing: boolean): Promise<void> {
    if (!missing && showingMissing === false) return
    let changed: DownloadRow[]
    try {
      const wouldChange = missing ? deps.jobs.hasPendingWithoutReason() : deps.jobs.hasDownloaderMissingMarks()
      if (!wouldChange) {
        showingMissing = missing
        return
      }
      const now = deps.now().toISOString()
      changed = await (missing ? deps.jobs.waitForDownloader(now) : deps.jobs.downloaderFound(now))
    } catch (err) {
      log.warn({ err }, 'could not read or write waiting_reason downloader_missing; trying again at the next check')
      return
    }
    showingMissing = missing
    for (const row of changed) deps.events.emit('status', { id: row.id, status: row.status, error_message: row.error_message })
  }

  return {
    /** Checks yt-dlp and free disk; returns why the queue must wait, or null. */
    async check(): Promise<PauseReason | null> {
      let reason: PauseReason | null = null
      if (!(await downloaderStatus()).available) {
        reason = PauseReason.ytdlp_missing
      } else if (!(await checkDisk(deps.downloadsDir, config.storage.min_free_disk_mb, deps.freeDiskBytes)).ok) {
        reason = PauseReason.low_disk
      } else if (!(await spaceFreed())) {
        reason = PauseReason.disk_full
      }
      setPaused(reason)
      await showDownloaderWait(reason === PauseReason.ytdlp_missing)
      return reason
    },

    /** The outcome of the last check. */
    paused: (): PauseReason | null => paused,

    downloaderStatus,

    /** A download ran out of space (its partial files are removed): wait until some is freed. */
    async markDiskFull(): Promise<void> {
      diskFull = { freeBytes: (await deps.freeDiskBytes(deps.downloadsDir).catch(() => 0)), atMs: Date.now() }
      setPaused(PauseReason.disk_full)
    },

    /** A spawn failed: yt-dlp went away since it was last seen. */
    markDownloaderMissing(): void {
      downloader = { status: { available: false, version: null }, checkedAtMs: Date.now() }
    },
  }
}

export type QueueGate = ReturnType<typeof createQueueGate>
