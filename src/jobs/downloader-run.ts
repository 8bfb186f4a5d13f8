// One run of a downloader (yt-dlp or gallery-dl) through runTool, and what its ending means: a
// program that could not start, ran past the deadline, was stopped, flooded its output or exited
// non-zero is one failure of the same kind whichever downloader it was, so both say it here once.
import type { ToolRunOptions, ToolRunOutcome } from './media/run-tool.js'
import type { AttemptBudget } from './post/fetched-post.js'
import { RunFailureReason, type YtDlpRunError } from './ytdlp/runner.js'

/** Which downloader runs, for the messages and the error class its failures are classified by. */
export interface DownloaderKind {
  /** the program's name in messages: "yt-dlp", "gallery-dl" */
  name: string
  /** the config key that names its path, for the "cannot run" hint */
  pathKey: string
  /** the error its failures are thrown as (GalleryDlRunError for gallery-dl, for its own classifier) */
  errorClass: typeof YtDlpRunError
}

/** The attempt's budget for one run (the signal may be absent for a run nobody stops early). */
export type DownloaderBudget = Omit<AttemptBudget, 'signal'> & {
  signal?: AbortSignal | undefined
  onSpawn?: ((pid: number) => void) | undefined
}

/**
 * Runs the downloader until it exits; resolves with its outcome when it exited 0, else rejects
 * with `kind.errorClass` carrying the reason and the tail of stderr.
 */
export async function runDownloader(
  kind: DownloaderKind,
  budget: DownloaderBudget,
  run: Pick<ToolRunOptions, 'command' | 'args' | 'onLine' | 'env'>,
): Promise<ToolRunOutcome> {
  const outcome = await budget.runTool({
    ...run,
    timeoutMs: Math.max(budget.deadlineMs - Date.now(), 1),
    killGraceMs: budget.killGraceMs,
    signal: budget.signal,
    onSpawn: budget.onSpawn,
  })
  const fail = (reason: RunFailureReason, message: string) =>
    new kind.errorClass(reason, message, outcome.stderr, outcome.exitCode)
  if (outcome.spawnError) {
    // The command is the owner's own setting (or the installed name): saying it is no server path leak.
    const why = outcome.spawnError.code ?? outcome.spawnError.message
    throw fail(RunFailureReason.spawn_failed, `Cannot run ${kind.name} ("${run.command}": ${why}). Install ${kind.name} or set ${kind.pathKey} in the config.`)
  }
  if (outcome.stoppedBy === 'timeout') throw fail(RunFailureReason.timeout, `${kind.name} ran past the attempt's time limit (downloads.timeout_seconds)`)
  if (outcome.stoppedBy === 'abort') throw fail(RunFailureReason.aborted, 'the download was stopped')
  if (outcome.stoppedBy === 'output_flood') {
    throw fail(RunFailureReason.output_flood, `${kind.name} printed far more output than a download does and was stopped`)
  }
  if (outcome.exitCode !== 0) throw fail(RunFailureReason.exit, `${kind.name} exited with code ${outcome.exitCode ?? outcome.signal}`)
  return outcome
}
