// Whether the database takes writes right now, as health reports it (SPEC §2: a database that cannot
// take writes — disk full, read-only, locked — makes health `degraded` with a `database` check).
// Every write path reports here: the submission commits, the job state writes kept for later.

/** SQLite result codes that mean "the storage refused this write now", not "this request is wrong". */
// VDS_WRITER_UNAVAILABLE: the writer thread is gone (write-targets.ts): nothing was stored either.
const STORAGE_CODES = /^(SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN|PROTOCOL|NOTADB|CORRUPT)|VDS_WRITER_UNAVAILABLE)/

export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && STORAGE_CODES.test(code)
}

/** What a person can act on, without paths: the kind of failure from the SQLite code. */
function describe(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return 'the disk holding the database is full'
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) return 'the database file is read-only'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'another process holds the database write lock'
  if (code === 'VDS_WRITER_UNAVAILABLE') return 'the database writer thread is not running'
  return `the database reported ${code}`
}

export interface WriteHealth {
  /** a write failed with a storage error */
  failed(err: unknown): void
  /** a write committed */
  succeeded(): void
  /** null while writes work; otherwise the sentence for the `database` check */
  problem(): string | null
  /** job states waiting in memory to be written (set by the deferred writes) */
  setWaiting(count: number): void
  /** After a failure with nothing waiting to retry it: one small real write, to see whether writes work again. */
  recheck(): Promise<void>
}

/** `probe` makes one small write and rejects with what SQLite throws (see probeWrite, run by the writer). */
export function createWriteHealth(probe?: () => Promise<void>): WriteHealth {
  let lastFailure: string | null = null
  let waiting = 0
  return {
    async recheck() {
      if (lastFailure === null || waiting > 0 || !probe) return
      try {
        await probe()
        lastFailure = null
      } catch (err) {
        if (isStorageError(err)) this.failed(err)
      }
    },
    failed(err) {
      const code = (err as { code?: unknown }).code
      lastFailure = typeof code === 'string' ? code : 'SQLITE_ERROR'
    },
    succeeded() {
      lastFailure = null
    },
    problem() {
      if (lastFailure === null && waiting === 0) return null
      const cause = lastFailure === null ? 'database writes were failing' : `database cannot take writes: ${describe(lastFailure)}`
      return waiting > 0 ? `${cause}; ${waiting} job state${waiting === 1 ? '' : 's'} kept in memory until it can` : cause
    },
    setWaiting(count) {
      waiting = count
    },
  }
}

/** A write that changes nothing but takes the write lock and appends to the WAL: the health probe. */
export function probeWrite(db: { prepare(sql: string): { run(): unknown } }): () => void {
  const touch = db.prepare("UPDATE download_counts SET n = n WHERE status = 'pending'")
  return () => {
    touch.run()
  }
}
