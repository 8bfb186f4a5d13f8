// API keys made by `vds keys add` or the first start. Only SHA-256 hashes are stored.
import type { Db } from './open.js'
import type { KeyScope } from '../core/types.js'

export interface ApiKeyRow {
  name: string
  /** hex SHA-256 of the key */
  key_hash: string
  scope: KeyScope
  created_at: string
  revoked_at: string | null
}

export function createApiKeysRepository(db: Db) {
  const statements = {
    insert: db.prepare<[string, string, KeyScope, string]>(
      'INSERT INTO api_keys (name, key_hash, scope, created_at) VALUES (?, ?, ?, ?)',
    ),
    all: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, name'),
    active: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys WHERE revoked_at IS NULL'),
    byName: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE name = ?'),
    revoke: db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  }
  return {
    /** false when the name is taken (also by a revoked key: names stay unique for the logs' sake) */
    add(name: string, keyHash: string, scope: KeyScope, now = new Date().toISOString()): boolean {
      if (statements.byName.get(name)) return false
      statements.insert.run(name, keyHash, scope, now)
      return true
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
    revoke(name: string, now = new Date().toISOString()): boolean {
      return statements.revoke.run(now, name).changes > 0
    },
    /**
     * Changes whenever another connection (another process, such as `vds keys add`) commits to the
     * database; commits on this connection leave it unchanged. About 3 µs, so it can run per request.
     */
    dataVersion(): number {
      return statements.dataVersion.get()!
    },
  }
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>
