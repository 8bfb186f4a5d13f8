// Opens the SQLite database with the pragmas that make a committed row survive power loss,
// then brings the schema up to date.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { MIGRATIONS, type Migration } from './migrations.js'

export type Db = Database.Database

export const DATABASE_FILE = 'vds.sqlite3'

export interface OpenDatabaseOptions {
  /** wait this long for another connection's write lock before SQLITE_BUSY */
  busyTimeoutMs?: number
  readonly?: boolean
  /**
   * false: no checkpoint inside commits. The server sets this; its writer thread (writer-thread.ts)
   * checkpoints between batches instead, so no commit pays for a checkpoint (tens of ms with synchronous=FULL).
   */
  autoCheckpoint?: boolean
}

export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: options.readonly ?? false })
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  if (!options.readonly) {
    db.pragma('journal_mode = WAL')
    // FULL: every commit fsyncs the WAL before it returns, so a 2xx means the row is on disk.
    db.pragma('synchronous = FULL')
    // macOS fsync() does not flush the drive cache; F_FULLFSYNC does.
    if (process.platform === 'darwin') db.pragma('fullfsync = ON')
    if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0')
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS)
  }
  return db
}

/**
 * The server's main-thread connection: migrated like any other, then read-only (`query_only`), since
 * every write goes to the writer thread (writer.ts). A write left on this connection fails at once
 * with SQLITE_READONLY instead of committing (and fsyncing) on the event loop.
 */
export function openServerConnection(dataDir: string, options: Omit<OpenDatabaseOptions, 'readonly'> = {}): Db {
  const db = openDatabase(dataDir, options)
  db.pragma('query_only = ON')
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const apply = db.transaction((migration: Migration) => {
    // Checked under the write lock: another process may have applied it meanwhile.
    if (schemaVersion(db) >= migration.version) return
    db.exec(migration.sql)
    db.pragma(`user_version = ${migration.version}`)
  })
  const pending = migrations.filter((m) => m.version > schemaVersion(db))
  for (const migration of pending) apply.immediate(migration)
}

/** Checkpoints the WAL into the main file and closes; safe to call twice. */
export function closeDatabase(db: Db): void {
  if (!db.open) return
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
}
