// The one way the server runs an untrusted program (yt-dlp, gallery-dl, ffmpeg, ffprobe): no
// shell, its own process group, a marker in its environment that all its descendants inherit,
// a deadline, abort, output in bounded memory, and an end that never waits on the program:
// - the deadline, an abort or an output flood stops every process of the run (TERM, then KILL);
// - once the program itself has exited, its pipes get a short grace to drain and are then
//   destroyed, so a descendant holding stdout open cannot keep the run alive;
// - whatever the program left running (a daemon that called setsid) is stopped before the
//   promise settles: no process outlives its run.
import { spawn } from 'node:child_process'
import { BoundedLineSplitter, TailBuffer } from './bounded-output.js'
import { ATTEMPT_ENV } from './attempt-marker.js'
import { stopAttemptProcesses } from './process-tree.js'
import { withoutProxyEnv } from '../egress/proxy-env.js'

export interface BoundedRunOptions {
  command: string
  args: string[]
  /** VDS_ATTEMPT value for this run (attempt-marker.ts); every descendant inherits it */
  marker: string
  timeoutMs: number
  /** SIGTERM → SIGKILL grace */
  killGraceMs: number
  signal?: AbortSignal | undefined
  /** each stdout line, cut at limits.maxLineBytes; must not throw (a throw is ignored) */
  onLine?: ((line: string) => void) | undefined
  /** called once with the leader's pid (= its process group id) */
  onSpawn?: ((pid: number) => void) | undefined
  /** added to the server's environment */
  env?: Record<string, string> | undefined
  limits?: Partial<OutputLimits> | undefined
}

/** Bounds on what a run may print and how long its pipes may outlive it. */
export interface OutputLimits {
  maxLineBytes: number
  stderrTailBytes: number
  /** stdout + stderr; past it the run is stopped as an output flood */
  maxOutputBytes: number
  /** after the program exits, how long its pipes may stay open before they are destroyed */
  pipeGraceMs: number
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  maxLineBytes: 64 * 1024,
  stderrTailBytes: 64 * 1024,
  maxOutputBytes: 64 * 1024 * 1024,
  pipeGraceMs: 1_000,
}

/** Why the server stopped the run (null: the program ended by itself). */
export type StopReason = 'timeout' | 'abort' | 'output_flood'

export interface BoundedRunOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** the last limits.stderrTailBytes of stderr */
  stderr: string
  stoppedBy: StopReason | null
  spawnError: NodeJS.ErrnoException | undefined
}

/** Resolves (never rejects) once the program has exited and no process of the run is left. */
export async function runBounded(options: BoundedRunOptions): Promise<BoundedRunOutcome> {
  const limits = { ...DEFAULT_OUTPUT_LIMITS, ...options.limits }
  const outcome: BoundedRunOutcome = { exitCode: null, signal: null, stderr: '', stoppedBy: null, spawnError: undefined }
  if (options.signal?.aborted) return { ...outcome, stoppedBy: 'abort' }

  const child = spawn(options.command, options.args, {
    detached: true, // own process group: one signal reaches the program and the helpers it starts
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Unbuffered so progress arrives live through the pipe; UTF-8 so titles survive any locale.
    // No inherited proxy variables: a downloader's only way out is the egress proxy (proxy-env.ts).
    env: { ...withoutProxyEnv(process.env), PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8', ...options.env, [ATTEMPT_ENV]: options.marker },
  })
  const spawned = new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true))
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return // after a successful spawn, 'exit' always follows
      outcome.spawnError = err
      resolve(false)
    })
  })
  if (!(await spawned)) return outcome
  const pgid = child.pid!
  const tree = { marker: options.marker, pgid }

  let stopping: Promise<void> | undefined
  const stop = (reason: StopReason) => {
    if (outcome.stoppedBy !== null) return
    outcome.stoppedBy = reason
    stopping = stopAttemptProcesses(tree, options.killGraceMs).catch(() => undefined)
  }
  const timer = setTimeout(() => stop('timeout'), Math.max(options.timeoutMs, 1))
  const onAbort = () => stop('abort')
  options.signal?.addEventListener('abort', onAbort, { once: true })

  let total = 0
  const count = (bytes: number) => {
    total += bytes
    if (total > limits.maxOutputBytes) stop('output_flood')
  }
  const lines = new BoundedLineSplitter(limits.maxLineBytes, (line) => {
    if (outcome.stoppedBy === 'output_flood') return
    try {
      options.onLine?.(line)
    } catch {
      // callbacks report their own errors; a throw must not break the reader
    }
  })
  const stderr = new TailBuffer(limits.stderrTailBytes)
  child.stdout.on('data', (chunk: Buffer) => {
    count(chunk.length)
    lines.push(chunk)
  })
  child.stderr.on('data', (chunk: Buffer) => {
    count(chunk.length)
    stderr.push(chunk)
  })
  const stdoutEnded = new Promise<void>((resolve) => child.stdout.once('close', resolve))
  const stderrEnded = new Promise<void>((resolve) => child.stderr.once('close', resolve))
  const pipesClosed = Promise.all([stdoutEnded, stderrEnded])

  try {
    options.onSpawn?.(pgid)
  } catch {
    // see onLine
  }
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, sig) => resolve([code, sig])),
  )
  outcome.exitCode = exitCode
  outcome.signal = signal
  clearTimeout(timer)
  options.signal?.removeEventListener('abort', onAbort)

  // The program is gone. Its pipes may still be held by something it started: give them a moment
  // to drain what was written, then stop every process left with the marker and cut the pipes.
  let graceTimer: NodeJS.Timeout | undefined
  const drained = await Promise.race([
    pipesClosed.then(() => true),
    new Promise<false>((resolve) => (graceTimer = setTimeout(() => resolve(false), limits.pipeGraceMs))),
  ])
  clearTimeout(graceTimer)
  await stopping
  await stopAttemptProcesses(tree, options.killGraceMs).catch(() => undefined)
  if (drained) lines.end()
  child.stdout.destroy()
  child.stderr.destroy()
  outcome.stderr = stderr.toString()
  return outcome
}
