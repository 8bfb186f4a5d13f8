// Runs yt-dlp once for one job: spawn without a shell as the leader of a new process group, parse
// progress and the final file from stdout, enforce the time limit, and stop the whole tree
// (TERM, then KILL) on timeout or abort. Whatever happens, the job's unfinished files are gone when
// the promise settles; only a successful run leaves a file, and only inside the downloads folder.
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../core/config.js'
import type { DownloadProgress, DownloadResult } from '../../core/types.js'
import { confineToDownloads, jobWorkDir, removePartialFiles } from '../output-paths.js'
import { findExecutable } from '../preflight.js'
import { newAttemptMarker } from '../../process/attempt-marker.js'
import { runBounded, type BoundedRunOutcome, type OutputLimits } from '../../process/spawn-bounded.js'
import { buildYtDlpArgs } from './args.js'
import { parseProgressLine, parseResultLine, type YtDlpResultLine } from './output.js'

/** Why an attempt produced no file. */
export const RunFailureReason = {
  /** yt-dlp exited with an error; classify its stderr */
  exit: 'exit',
  /** downloads.timeout_seconds passed */
  timeout: 'timeout',
  /** the caller aborted (cancel or shutdown) */
  aborted: 'aborted',
  /** yt-dlp could not be started at all (missing, not executable) */
  spawn_failed: 'spawn_failed',
  /** yt-dlp reported a file outside the downloads folder */
  unsafe_output: 'unsafe_output',
  /** yt-dlp printed more than the output cap and was stopped */
  output_flood: 'output_flood',
} as const
export type RunFailureReason = (typeof RunFailureReason)[keyof typeof RunFailureReason]

/** A failed attempt, with what is needed to classify it. */
export class YtDlpRunError extends Error {
  override name = 'YtDlpRunError'
  constructor(
    readonly reason: RunFailureReason,
    message: string,
    /** the tail of yt-dlp's stderr (DEFAULT_OUTPUT_LIMITS.stderrTailBytes) */
    readonly stderr = '',
    readonly exitCode: number | null = null,
  ) {
    super(message)
  }
}

export interface RunYtDlpOptions {
  url: string
  jobId: string
  config: Config
  /** absolute downloads folder */
  downloadsDir: string
  /** abort = stop the process tree and clean up (cancel, shutdown) */
  signal?: AbortSignal
  /** this attempt's User-Agent; null or absent keeps yt-dlp's */
  userAgent?: string | null
  /** SIGTERM → SIGKILL grace period */
  killGraceMs?: number
  /** called once with yt-dlp's pid (= its process group id); must not throw */
  onSpawn?: (pid: number) => void
  /** called for every progress line; must not throw */
  onProgress?: (progress: DownloadProgress) => void
  /** VDS_ATTEMPT value for this attempt's processes (attempt-marker.ts); a fresh one when absent */
  attemptMarker?: string
  /** output caps (tests make them small) */
  outputLimits?: Partial<OutputLimits>
}

const DEFAULT_KILL_GRACE_MS = 3_000

let ffmpegLookup: Promise<boolean> | undefined
/** Looked up once per process: installing ffmpeg later needs a restart, which is rare and cheap. */
const ffmpegAvailable = () => (ffmpegLookup ??= findExecutable('ffmpeg').then((found) => found !== null))

/** The command for ytdlp.path: "auto" is the installed yt-dlp where the attempt was not given the managed one. */
export function ytdlpCommand(config: Config): string {
  return config.ytdlp.path === 'auto' ? 'yt-dlp' : config.ytdlp.path
}

/** Downloads one URL; resolves with the finished file, rejects with YtDlpRunError. */
export async function runYtDlp(options: RunYtDlpOptions): Promise<DownloadResult> {
  const downloadsDir = path.resolve(options.downloadsDir)
  const { jobId, config } = options
  await mkdir(jobWorkDir(downloadsDir, jobId), { recursive: true })
  const args = buildYtDlpArgs({
    url: options.url,
    jobId,
    ytdlp: config.ytdlp,
    downloadsDir,
    userAgent: options.userAgent ?? null,
    canMerge: await ffmpegAvailable(),
  })
  const run = await runProcess(ytdlpCommand(config), args, {
    ...options,
    marker: options.attemptMarker ?? newAttemptMarker('local', jobId),
    timeoutMs: config.downloads.timeout_seconds * 1000,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  })
  try {
    return await collectResult(run, downloadsDir, config)
  } catch (err) {
    // A file already moved into place belongs to an attempt that did not succeed (stopped or
    // failed afterwards): remove it, but only if it really is ours, inside the downloads folder.
    if (run.result) {
      const relative = await confineToDownloads(downloadsDir, run.result.filepath).catch(() => undefined)
      if (relative !== undefined) await rm(path.join(downloadsDir, relative), { force: true })
    }
    throw err
  } finally {
    await removePartialFiles(downloadsDir, jobId)
  }
}

async function collectResult(run: ProcessOutcome, downloadsDir: string, config: Config): Promise<DownloadResult> {
  if (run.spawnError) {
    throw new YtDlpRunError(
      RunFailureReason.spawn_failed,
      `Cannot run yt-dlp ("${ytdlpCommand(config)}": ${run.spawnError.code ?? run.spawnError.message}). Install yt-dlp or set ytdlp.path in the config.`,
    )
  }
  if (run.stoppedBy === 'timeout') {
    throw new YtDlpRunError(RunFailureReason.timeout, `yt-dlp ran longer than ${config.downloads.timeout_seconds} s`, run.stderr)
  }
  if (run.stoppedBy === 'abort') throw new YtDlpRunError(RunFailureReason.aborted, 'the download was stopped', run.stderr)
  if (run.stoppedBy === 'output_flood') {
    throw new YtDlpRunError(RunFailureReason.output_flood, 'yt-dlp printed far more output than a download does and was stopped', run.stderr)
  }
  if (run.exitCode !== 0 || !run.result) {
    const why = run.exitCode === 0 ? 'reported no file' : `exited with code ${run.exitCode ?? run.signal}`
    throw new YtDlpRunError(RunFailureReason.exit, `yt-dlp ${why}`, run.stderr, run.exitCode)
  }
  let relative: string
  try {
    relative = await confineToDownloads(downloadsDir, run.result.filepath)
  } catch (err) {
    throw new YtDlpRunError(RunFailureReason.unsafe_output, (err as Error).message, run.stderr, run.exitCode)
  }
  const { size } = await stat(path.join(downloadsDir, relative))
  return {
    filename: path.basename(relative),
    file_path: relative,
    file_size: size,
    title: run.result.title,
    uploader: run.result.uploader,
    duration_seconds: run.result.duration,
    thumbnail_url: run.result.thumbnail,
    extractor: run.result.extractor,
    video_id: run.result.id,
  }
}

interface ProcessOutcome extends BoundedRunOutcome {
  result: YtDlpResultLine | undefined
}

/** Resolves (never rejects) once yt-dlp has exited and no process it started is left. */
async function runProcess(command: string, args: string[], options: RunYtDlpOptions & { marker: string; timeoutMs: number; killGraceMs: number }): Promise<ProcessOutcome> {
  let result: YtDlpResultLine | undefined
  const run = await runBounded({
    command,
    args,
    marker: options.marker,
    timeoutMs: options.timeoutMs,
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    onSpawn: options.onSpawn,
    limits: options.outputLimits,
    onLine: (rawLine) => {
      const line = rawLine.replace(/^\r+/, '')
      const progress = parseProgressLine(line)
      if (progress) return options.onProgress?.(progress)
      result ??= parseResultLine(line)
    },
  })
  return { ...run, result }
}
