// What a failed post download means, whichever part failed: yt-dlp, gallery-dl (its own texts and
// rules), ffmpeg stopped at the attempt's time limit, or the egress proxy refusing an address.
import type { Config } from '../../core/config.js'
import { classifyYtDlpError, timeoutFailure, type FailureClassification } from '../classify-error.js'
import { classifyGalleryDlError } from '../gallery-dl/classify-error.js'
import { GalleryDlRunError } from '../gallery-dl/runner.js'
import { MediaStoppedError } from '../media/finish-file.js'
import { RunFailureReason, YtDlpRunError } from '../ytdlp/runner.js'
import type { Refusal } from '../../egress/destination-check.js'

/** The egress proxy could not be started: no downloader may run without it. */
export class EgressUnavailableError extends Error {
  override name = 'EgressUnavailableError'
}

/**
 * The disk ran out of space under the attempt: the server's own write (ENOSPC, EDQUOT: moving,
 * placing), or the downloader's error line for it (yt-dlp "ERROR: unable to write data: [Errno 28]
 * No space left on device", gallery-dl "[gallery-dl][error] OSError: [Errno 28] ..."). Only error
 * lines count: a title printed in a warning cannot make a job wait.
 */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') return true
  return err instanceof YtDlpRunError && err.reason === RunFailureReason.exit && DISK_FULL_LINE.test(err.stderr.slice(-8000))
}
const DISK_FULL_LINE = /^(?:ERROR:|\[[\w.-]+\]\[error\]).*(?:\[Errno (?:28|122)\]|No space left on device|Disk quota exceeded)/m

/** yt-dlp itself could not be started: the queue pauses until it is there (not a failed attempt). */
export function isYtDlpMissing(err: unknown): boolean {
  return err instanceof YtDlpRunError && !(err instanceof GalleryDlRunError) && err.reason === RunFailureReason.spawn_failed
}

/**
 * `refusals`: what the egress proxy refused for this attempt. A downloader that failed after a
 * refusal failed because of it (it only sees a 403 from the proxy, which it would call the
 * site's), and the link will lead there again: permanent, with the address named.
 */
export function classifyPostFailure(err: unknown, config: Config, refusals: readonly Refusal[] = []): FailureClassification {
  if (refusals.length > 0 && err instanceof YtDlpRunError && err.reason === RunFailureReason.exit) return blockedAddress(refusals[0]!)
  if (err instanceof EgressUnavailableError) {
    return { kind: 'transient', code: 'egress_unavailable', message: `Downloads wait: ${err.message}. Restart the server; see its health.` }
  }
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

function blockedAddress(refusal: Refusal): FailureClassification {
  const where = refusal.address === null ? `"${refusal.host}"` : refusal.address === refusal.host ? refusal.address : `${refusal.host} (${refusal.address})`
  const what = refusal.kind === null || refusal.kind === 'not an IP' ? 'an address' : `a ${refusal.kind} address`
  return {
    kind: 'permanent',
    code: 'blocked_address',
    message: `The link led to ${where}, ${what} the server does not fetch. If that address is yours and meant to be downloaded from, add it to downloads.allowed_domains.`,
  }
}
