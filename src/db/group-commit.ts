// Group commit: submissions that arrive in the same turn of the event loop share one IMMEDIATE
// transaction, so one fsync (synchronous=FULL) makes all of them durable. Every caller's promise
// settles only after that COMMIT has returned, so an answer still never gets ahead of the disk.
// Each piece of work runs in its own savepoint (better-sqlite3 nests transactions that way): one
// failing piece is rolled back alone, and the others still commit.
import type { Db } from './open.js'
import { isStorageError, type WriteHealth } from './write-health.js'

interface Pending {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

interface Settled {
  pending: Pending
  ok: boolean
  value: unknown
}

export interface GroupCommit {
  /** Runs `work` inside the next shared transaction; resolves after it is committed. */
  run<T>(work: () => T): Promise<T>
}

/** More than this many waiting pieces are split over several commits, bounding one commit's time. */
const MAX_BATCH = 256

export function createGroupCommit(db: Db, health?: WriteHealth): GroupCommit {
  let queue: Pending[] = []
  let scheduled = false

  // Prepared once: wrapping each piece in db.transaction() would build new wrappers per submission.
  const savepoint = db.prepare('SAVEPOINT piece')
  const release = db.prepare('RELEASE piece')
  const rollbackTo = db.prepare('ROLLBACK TO piece')

  const runBatch = db.transaction((batch: Pending[]): Settled[] =>
    batch.map((pending) => {
      savepoint.run()
      try {
        const value = pending.work()
        release.run()
        return { pending, ok: true, value }
      } catch (err) {
        rollbackTo.run()
        release.run()
        return { pending, ok: false, value: err }
      }
    }),
  )

  const flush = () => {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH)
      queue = queue.slice(MAX_BATCH)
      let settled: Settled[]
      try {
        settled = runBatch.immediate(batch)
      } catch (err) {
        // BEGIN or COMMIT failed (disk full, I/O error, locked): nothing in this batch was stored.
        if (isStorageError(err)) health?.failed(err)
        for (const pending of batch) pending.reject(err)
        continue
      }
      health?.succeeded()
      for (const { pending, ok, value } of settled) (ok ? pending.resolve : pending.reject)(value)
    }
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
        if (!scheduled) {
          scheduled = true
          // After the I/O phase: every request parsed in this turn joins the same commit.
          setImmediate(flush)
        }
      })
    },
  }
}
