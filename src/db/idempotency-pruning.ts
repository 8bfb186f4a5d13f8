// Idempotency keys are kept 7 days (a phone's offline outbox resends within that), then deleted in
// small batches: one batch is one short transaction, and batches yield to the event loop, so
// pruning a large backlog never holds the write lock or the loop for long.
import type { DownloadsRepository } from './downloads-repository.js'
import { isStorageError, type WriteHealth } from './write-health.js'

export const IDEMPOTENCY_KEY_DAYS = 7
const DAY_MS = 24 * 60 * 60 * 1000

export interface PruningOptions {
  downloads: Pick<DownloadsRepository, 'pruneIdempotencyKeys'>
  now?: () => number
  /** rows per transaction */
  batch?: number
  /** at most this many batches per run; the next run goes on */
  maxBatches?: number
  onError?: (err: unknown) => void
  /** told about refused writes, so health shows them */
  health?: WriteHealth
}

/** One pruning run: deletes keys older than 7 days, batch by batch; returns how many were deleted. */
export async function pruneIdempotencyKeys(options: PruningOptions): Promise<number> {
  const batch = options.batch ?? 500
  const maxBatches = options.maxBatches ?? 200
  const cutoff = new Date((options.now ?? Date.now)() - IDEMPOTENCY_KEY_DAYS * DAY_MS).toISOString()
  let deleted = 0
  for (let i = 0; i < maxBatches; i++) {
    const n = await options.downloads.pruneIdempotencyKeys(cutoff, batch)
    deleted += n
    if (n < batch) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  return deleted
}

/** Prunes shortly after start-up and then every `intervalMs` (default hourly); returns a stop function. */
export function startIdempotencyPruning(options: PruningOptions & { intervalMs?: number; firstRunMs?: number }): () => void {
  let running: Promise<unknown> = Promise.resolve()
  const run = () => {
    running = pruneIdempotencyKeys(options).catch((err: unknown) => {
      // A locked or full database: health says so, and the next run tries again.
      if (isStorageError(err)) options.health?.failed(err)
      else options.onError?.(err)
    })
  }
  const first = setTimeout(run, options.firstRunMs ?? 60_000)
  const every = setInterval(run, options.intervalMs ?? 60 * 60 * 1000)
  first.unref()
  every.unref()
  return () => {
    clearTimeout(first)
    clearInterval(every)
    void running
  }
}
