// API keys made by `vds keys add`, a pairing or the first start. Only SHA-256 hashes are stored.
// Reads run on the caller's connection; adding and revoking are calls to the writer (key-writes.ts).
import type Database from 'better-sqlite3'
import type { Db } from './open.js'
import type { KeyScope } from '../core/types.js'
import type { Writer } from './write-targets.js'
import { createInlineWriter } from './writer-inline.js'

export interface ApiKeyRow {
  name: string
  /** hex SHA-256 of the key */
  key_hash: string
  scope: KeyScope
  created_at: string
  revoked_at: string | null
}

/** Without a writer (commands, tests), writes run in-process on `db`. */
export function createApiKeysRepository(db: Db, writer: Writer = createInlineWriter(db)) {
  const statements = {
    all: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, name'),
    active: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys WHERE revoked_at IS NULL'),
    byName: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE name = ?'),
  }
  // Prepared at first use: `vds doctor` reads the keys on a read-only connection, whose schema may
  // predate migration 6.
  let version: Database.Statement<[], number> | undefined
  return {
    /** false when the name is taken (also by a revoked key: names stay unique for the logs' sake) */
    add(name: string, keyHash: string, scope: KeyScope, now = new Date().toISOString()): Promise<boolean> {
      return writer.call('keys', 'add', name, keyHash, scope, now)
    },
    list(): ApiKeyRow[] {
      return statements.all.all()
    },
    listActive(): ApiKeyRow[] {
      return statements.active.all()
    },
    findByName(name: string): ApiKeyRow | undefined {
      return statements.byName.get(name)
    },
    revoke(name: string, now = new Date().toISOString()): Promise<boolean> {
      return writer.call('keys', 'revoke', name, now)
    },
    /**
     * Bumped by triggers on every insert, update and delete of api_keys (migration 6), whichever
     * connection or process made it: one primary-key read, so it can run per request.
     */
    keysVersion(): number {
      version ??= db.prepare<[], number>('SELECT n FROM api_keys_version WHERE id = 1').pluck()
      return version.get()!
    },
  }
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>
