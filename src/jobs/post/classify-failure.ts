// What a failed post download means, whichever part failed: yt-dlp, gallery-dl (its own texts and
// rules), or ffmpeg stopped at the attempt's time limit.
import type { Config } from '../../core/config.js'
import { classifyYtDlpError, timeoutFailure, type FailureClassification } from '../classify-error.js'
import { classifyGalleryDlError } from '../gallery-dl/classify-error.js'
import { GalleryDlRunError } from '../gallery-dl/runner.js'
import { MediaStoppedError } from '../media/finish-file.js'
import { RunFailureReason, YtDlpRunError } from '../ytdlp/runner.js'

/** yt-dlp itself could not be started: the queue pauses until it is there (not a failed attempt). */
export function isYtDlpMissing(err: unknown): boolean {
  return err instanceof YtDlpRunError && !(err instanceof GalleryDlRunError) && err.reason === RunFailureReason.spawn_failed
}

export function classifyPostFailure(err: unknown, config: Config): FailureClassification {
  if (err instanceof MediaStoppedError) {
    if (err.reason === 'timeout') return timeoutFailure(config.downloads.timeout_seconds)
    return { kind: 'transient', code: 'interrupted', message: 'Making the file iPhone-ready was stopped; it will be tried again.' }
  }
  if (!(err instanceof YtDlpRunError)) {
    return { kind: 'transient', code: 'internal_error', message: `The download could not be run: ${(err as Error).message}` }
  }
  switch (err.reason) {
    case RunFailureReason.timeout:
      return timeoutFailure(config.downloads.timeout_seconds)
    case RunFailureReason.unsafe_output:
      return { kind: 'permanent', code: 'unsafe_output', message: err.message }
    case RunFailureReason.output_flood:
      return { kind: 'permanent', code: 'downloader_failed', message: `${err.message}. The page probably confuses the downloader; try a newer release.` }
    case RunFailureReason.spawn_failed:
      // Only gallery-dl gets here (a missing yt-dlp pauses the queue): retried, in case it gets installed.
      return { kind: 'transient', code: 'downloader_missing', message: err.message }
    default:
      return err instanceof GalleryDlRunError ? classifyGalleryDlError(err.stderr, err.exitCode) : classifyYtDlpError(err.stderr, err.exitCode)
  }
}
