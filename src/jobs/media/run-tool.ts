// The one seam through which the engine runs its helper programs (gallery-dl, ffprobe, ffmpeg):
// process/spawn-bounded.ts does the work (no shell, own group, marker sweep, deadline, abort,
// bounded output); this keeps the engine's name for it, and tests can replace it.
import { newAttemptMarker } from '../../process/attempt-marker.js'
import { runBounded, type BoundedRunOutcome } from '../../process/spawn-bounded.js'

export interface ToolRunOptions {
  command: string
  args: string[]
  timeoutMs: number
  killGraceMs: number
  signal?: AbortSignal | undefined
  /** each stdout line (at most MAX_LINE_BYTES); must not throw */
  onLine?: (line: string) => void
  onSpawn?: (pid: number) => void
  /** the attempt's VDS_ATTEMPT value, so the attempt's stop and crash recovery reach this run too */
  marker?: string | undefined
  /** added to the environment (a downloader's proxy variables) */
  env?: Record<string, string> | undefined
}

export type ToolRunOutcome = BoundedRunOutcome

export type RunTool = (options: ToolRunOptions) => Promise<ToolRunOutcome>

/** Resolves (never rejects) once the program has exited and no process it started is left. */
export const runTool: RunTool = (options) =>
  runBounded({ ...options, marker: options.marker ?? newAttemptMarker('local', 'tool') })
