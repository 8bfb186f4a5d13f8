// Runs yt-dlp once for one job: spawn without a shell as the leader of a new process group, parse
// progress and the final file from stdout, enforce the time limit, and stop the whole tree
// (TERM, then KILL) on timeout or abort. Whatever happens, the job's unfinished files are gone when
// the promise settles; only a successful run leaves a file, and only inside the downloads folder.
import { spawn } from 'node:child_process'
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { Config } from '../../core/config.js'
import type { DownloadProgress, DownloadResult } from '../../core/types.js'
import { confineToDownloads, jobWorkDir, removePartialFiles } from '../output-paths.js'
import { findExecutable } from '../preflight.js'
import { stopProcessGroup } from '../../process/process-tree.js'
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
} as const
export type RunFailureReason = (typeof RunFailureReason)[keyof typeof RunFailureReason]

/** A failed attempt, with what is needed to classify it. */
export class YtDlpRunError extends Error {
  override name = 'YtDlpRunError'
  constructor(
    readonly reason: RunFailureReason,
    message: string,
    /** the last ~8 KB of yt-dlp's stderr */
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
}

const STDERR_TAIL_BYTES = 8 * 1024
const DEFAULT_KILL_GRACE_MS = 5_000

let ffmpegLookup: Promise<boolean> | undefined
/** Looked up once per process: installing ffmpeg later needs a restart, which is rare and cheap. */
const ffmpegAvailable = () => (ffmpegLookup ??= findExecutable('ffmpeg').then((found) => found !== null))

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
  const run = await runProcess(config.ytdlp.path, args, {
    timeoutMs: config.downloads.timeout_seconds * 1000,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    signal: options.signal,
    onSpawn: options.onSpawn,
    onProgress: options.onProgress,
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
      `Cannot run yt-dlp ("${config.ytdlp.path}": ${run.spawnError.code ?? run.spawnError.message}). Install yt-dlp or set ytdlp.path in the config.`,
    )
  }
  if (run.stoppedBy === 'timeout') {
    throw new YtDlpRunError(RunFailureReason.timeout, `yt-dlp ran longer than ${config.downloads.timeout_seconds} s`, run.stderr)
  }
  if (run.stoppedBy === 'abort') throw new YtDlpRunError(RunFailureReason.aborted, 'the download was stopped', run.stderr)
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

interface ProcessOptions {
  timeoutMs: number
  killGraceMs: number
  signal: AbortSignal | undefined
  onSpawn: ((pid: number) => void) | undefined
  onProgress: ((progress: DownloadProgress) => void) | undefined
}

interface ProcessOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stderr: string
  result: YtDlpResultLine | undefined
  stoppedBy: 'timeout' | 'abort' | null
  spawnError: NodeJS.ErrnoException | undefined
}

/** Resolves (never rejects) once the process has exited and, if we stopped it, its group is gone. */
function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const outcome: ProcessOutcome = { exitCode: null, signal: null, stderr: '', result: undefined, stoppedBy: null, spawnError: undefined }
    if (options.signal?.aborted) return resolve({ ...outcome, stoppedBy: 'abort' })

    const child = spawn(command, args, {
      detached: true, // own process group: one signal reaches yt-dlp and the ffmpeg it starts
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Unbuffered so progress arrives live through the pipe; UTF-8 so titles survive any locale.
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    })
    let stopping: Promise<void> = Promise.resolve()
    let settled = false
    const stop = (reason: 'timeout' | 'abort') => {
      if (outcome.stoppedBy !== null || child.pid === undefined) return
      outcome.stoppedBy = reason
      stopping = stopProcessGroup(child.pid, options.killGraceMs).catch(() => undefined)
    }
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs)
    const onAbort = () => stop('abort')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const finish = () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      void stopping.then(() => resolve(outcome))
    }

    if (child.pid !== undefined) safely(() => options.onSpawn?.(child.pid!))
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (rawLine) => {
      const line = rawLine.replace(/^\r+/, '')
      const progress = parseProgressLine(line)
      if (progress) return safely(() => options.onProgress?.(progress))
      outcome.result ??= parseResultLine(line)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      outcome.stderr = (outcome.stderr + chunk).slice(-STDERR_TAIL_BYTES)
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failed spawn ends the run here; after a successful spawn 'close' always follows.
      if (child.pid !== undefined) return
      outcome.spawnError = err
      finish()
    })
    child.on('close', (code, signal) => {
      outcome.exitCode = code
      outcome.signal = signal
      finish()
    })
  })
}

/** Callbacks report their own errors; a throw must not break the pipe reader or the process. */
function safely(callback: () => void): void {
  try {
    callback()
  } catch {
    // deliberately ignored, see above
  }
}
