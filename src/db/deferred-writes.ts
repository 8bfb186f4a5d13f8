// Job state writes that must not be lost: the end of an attempt (completed, failed, retry, back to
// pending). When the database refuses one (disk full, read-only, locked, the writer thread gone), it
// is kept in memory, in order, and tried again until it commits; its promise settles only then, so
// the attempt that made it finishes exactly once, with the state that was really stored. Health is
// `degraded` meanwhile. A write is a call to the writer (writer.ts), so it is asynchronous.
import type { WriteHealth } from './write-health.js'
import { isStorageError } from './write-health.js'

interface Kept {
  write: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

export interface DeferredWrites {
  /** Runs `write` now; when the storage refuses it, keeps it and retries until it commits. */
  run<T>(write: () => Promise<T>): Promise<T>
  /** How many writes are waiting. */
  waiting(): number
  /** Stops retrying; what is still kept is rejected (recovery finds those rows at the next start). */
  stop(): void
}

export interface DeferredWritesOptions {
  health: WriteHealth
  /** first retry delay; doubles up to maxRetryMs */
  retryMs?: number
  maxRetryMs?: number
  onKept?: (err: unknown, waiting: number) => void
  onWritten?: (waiting: number) => void
}

export class WritesStoppedError extends Error {
  override name = 'WritesStoppedError'
  constructor() {
    super('the server stopped before this job state could be written; it is recovered at the next start')
  }
}

export function createDeferredWrites(options: DeferredWritesOptions): DeferredWrites {
  const { health } = options
  const firstDelay = options.retryMs ?? 250
  const maxDelay = options.maxRetryMs ?? 5000
  const kept: Kept[] = []
  let timer: NodeJS.Timeout | undefined
  let draining = false
  let delay = firstDelay
  let stopped = false

  const schedule = () => {
    if (timer || draining || stopped || kept.length === 0) return
    // Not unref'd: a kept job state is worth keeping the process alive for; stop() clears it.
    timer = setTimeout(() => void drain(), delay)
  }

  // In order: a later state of a job never lands before an earlier one.
  async function drain() {
    timer = undefined
    draining = true
    try {
      while (kept.length > 0 && !stopped) {
        const next = kept[0]!
        let value: unknown
        try {
          value = await next.write()
        } catch (err) {
          if (stopped) return
          if (!isStorageError(err)) {
            kept.shift()
            next.reject(err)
            continue
          }
          health.failed(err)
          delay = Math.min(delay * 2, maxDelay)
          return
        }
        if (stopped) return
        kept.shift()
        health.succeeded()
        health.setWaiting(kept.length)
        options.onWritten?.(kept.length)
        next.resolve(value)
      }
      delay = firstDelay
    } finally {
      draining = false
      schedule()
    }
  }

  const keep = <T>(write: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      kept.push({ write, resolve: resolve as (value: unknown) => void, reject })
      health.setWaiting(kept.length)
      schedule()
    })

  return {
    async run<T>(write: () => Promise<T>): Promise<T> {
      if (stopped) throw new WritesStoppedError()
      // Behind what is kept: a job's later state never overtakes its earlier one.
      if (kept.length > 0) return keep(write)
      try {
        const value = await write()
        health.succeeded()
        return value
      } catch (err) {
        if (!isStorageError(err)) throw err
        if (stopped) throw new WritesStoppedError()
        health.failed(err)
        options.onKept?.(err, kept.length + 1)
        return keep(write)
      }
    },
    waiting: () => kept.length,
    stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
      for (const item of kept.splice(0)) item.reject(new WritesStoppedError())
      health.setWaiting(0)
    },
  }
}
