// The one seam through which the engine runs its helper programs (gallery-dl, ffprobe, ffmpeg):
// no shell, own process group, a deadline, abort, the whole group stopped (TERM, then KILL), stdout
// as bounded lines and only the tail of stderr kept.
import { spawn } from 'node:child_process'
import { stopProcessGroup } from '../../process/process-tree.js'

export interface ToolRunOptions {
  command: string
  args: string[]
  timeoutMs: number
  killGraceMs: number
  signal?: AbortSignal | undefined
  /** each stdout line (at most MAX_LINE_BYTES); must not throw */
  onLine?: (line: string) => void
  onSpawn?: (pid: number) => void
}

export interface ToolRunOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** the last STDERR_TAIL_BYTES of stderr */
  stderr: string
  stoppedBy: 'timeout' | 'abort' | 'output_flood' | null
  spawnError: NodeJS.ErrnoException | undefined
}

export type RunTool = (options: ToolRunOptions) => Promise<ToolRunOutcome>

const MAX_LINE_BYTES = 64 * 1024
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024
const STDERR_TAIL_BYTES = 8 * 1024

/** Resolves (never rejects) once the program has exited and, if it was stopped, its group is gone. */
export const runTool: RunTool = (options) =>
  new Promise((resolve) => {
    const outcome: ToolRunOutcome = { exitCode: null, signal: null, stderr: '', stoppedBy: null, spawnError: undefined }
    if (options.signal?.aborted) return resolve({ ...outcome, stoppedBy: 'abort' })
    const child = spawn(options.command, options.args, {
      detached: true,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    })
    let stopping: Promise<void> = Promise.resolve()
    let total = 0
    const stop = (reason: NonNullable<ToolRunOutcome['stoppedBy']>) => {
      if (outcome.stoppedBy !== null || child.pid === undefined) return
      outcome.stoppedBy = reason
      stopping = stopProcessGroup(child.pid, options.killGraceMs).catch(() => undefined)
    }
    const timer = setTimeout(() => stop('timeout'), Math.max(options.timeoutMs, 1))
    const onAbort = () => stop('abort')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const finish = () => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      void stopping.then(() => resolve(outcome))
    }
    const count = (bytes: number) => {
      total += bytes
      if (total > MAX_OUTPUT_BYTES) stop('output_flood')
    }
    let pending = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      count(chunk.length)
      pending += chunk
      let newline: number
      while ((newline = pending.indexOf('\n')) !== -1) {
        emitLine(pending.slice(0, newline))
        pending = pending.slice(newline + 1)
      }
      if (pending.length > MAX_LINE_BYTES) pending = '' // an endless line is dropped, not held
    })
    child.stdout.on('end', () => pending !== '' && emitLine(pending))
    const emitLine = (line: string) => {
      try {
        options.onLine?.(line.replace(/\r$/, ''))
      } catch {
        // callbacks report their own errors
      }
    }
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      count(chunk.length)
      outcome.stderr = (outcome.stderr + chunk).slice(-STDERR_TAIL_BYTES)
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return
      outcome.spawnError = err
      finish()
    })
    child.on('close', (code, signal) => {
      outcome.exitCode = code
      outcome.signal = signal
      finish()
    })
    if (child.pid !== undefined) options.onSpawn?.(child.pid)
  })
