// Whether the queue may start a download right now. A full disk or a missing yt-dlp pauses the
// queue instead of failing jobs: they stay pending and start by themselves once the cause is fixed.
import type { Logger } from 'pino'
import type { Config } from '../core/config.js'
import { checkDisk, type DownloaderStatus, type FreeDiskBytes } from './preflight.js'
import { ytdlpCommand } from './ytdlp/runner.js'

/** Why the queue waits instead of starting downloads. Jobs stay pending meanwhile. */
export const PauseReason = { low_disk: 'low_disk', ytdlp_missing: 'ytdlp_missing' } as const
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason]

export interface QueueGateDeps {
  config: Config
  downloadsDir: string
  log: Logger
  freeDiskBytes: FreeDiskBytes
  checkDownloader: (ytdlpPath: string) => Promise<DownloaderStatus>
  /** how often a missing yt-dlp is looked for again */
  downloaderRecheckMs: number
}

export function createQueueGate(deps: QueueGateDeps) {
  const { config, log } = deps
  let paused: PauseReason | null = null
  let downloader: { status: DownloaderStatus; checkedAtMs: number } | undefined
  let downloaderCheck: Promise<DownloaderStatus> | undefined

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
    if (reason === PauseReason.low_disk) {
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

  return {
    /** Checks yt-dlp and free disk; returns why the queue must wait, or null. */
    async check(): Promise<PauseReason | null> {
      let reason: PauseReason | null = null
      if (!(await downloaderStatus()).available) {
        reason = PauseReason.ytdlp_missing
      } else if (!(await checkDisk(deps.downloadsDir, config.storage.min_free_disk_mb, deps.freeDiskBytes)).ok) {
        reason = PauseReason.low_disk
      }
      setPaused(reason)
      return reason
    },

    /** The outcome of the last check. */
    paused: (): PauseReason | null => paused,

    downloaderStatus,

    /** A spawn failed: yt-dlp went away since it was last seen. */
    markDownloaderMissing(): void {
      downloader = { status: { available: false, version: null }, checkedAtMs: Date.now() }
    },
  }
}

export type QueueGate = ReturnType<typeof createQueueGate>
