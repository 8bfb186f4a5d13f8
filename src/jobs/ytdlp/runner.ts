// What a yt-dlp run is and how it fails: the command ytdlp.path names, the reasons an attempt
// produced no file, and the error those failures travel in (gallery-dl's errors extend it, so one
// classifier seam takes both). The run itself is jobs/downloader-run.ts, through runTool.
import type { Config } from '../../core/config.js'

/** Why an attempt produced no file. */
export const RunFailureReason = {
  /** the downloader exited with an error; classify its stderr */
  exit: 'exit',
  /** downloads.timeout_seconds passed */
  timeout: 'timeout',
  /** the caller aborted (cancel or shutdown) */
  aborted: 'aborted',
  /** the downloader could not be started at all (missing, not executable) */
  spawn_failed: 'spawn_failed',
  /** the downloader reported a file outside its work folder */
  unsafe_output: 'unsafe_output',
  /** the downloader printed more than the output cap and was stopped */
  output_flood: 'output_flood',
} as const
export type RunFailureReason = (typeof RunFailureReason)[keyof typeof RunFailureReason]

/** A failed attempt, with what is needed to classify it. */
export class YtDlpRunError extends Error {
  override name = 'YtDlpRunError'
  constructor(
    readonly reason: RunFailureReason,
    message: string,
    /** the tail of the downloader's stderr (DEFAULT_OUTPUT_LIMITS.stderrTailBytes) */
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message)
  }
}

/** The command for ytdlp.path: "auto" is the installed yt-dlp where the attempt was not given the managed one. */
export function ytdlpCommand(config: Config): string {
  return config.ytdlp.path === 'auto' ? 'yt-dlp' : config.ytdlp.path
}
