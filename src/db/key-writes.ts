// The api_keys table's writes, as statements on the write connection. In the server only the writer
// thread builds these (write-targets.ts); `vds keys` and the tests' "other process" run them on their
// own connection. Every change bumps api_keys_version (migration 6), which the key verifier watches.
import type { Db } from './open.js'
import type { KeyScope } from '../core/types.js'

export function createKeyWrites(db: Db) {
  const statements = {
    // Names stay unique also against revoked keys, for the logs' sake: the name is the primary key.
    insert: db.prepare<[string, string, KeyScope, string]>(
      'INSERT INTO api_keys (name, key_hash, scope, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    revoke: db.prepare<[string, string]>('UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
  }
  return {
    /** false when the name is taken (also by a revoked key) */
    add(name: string, keyHash: string, scope: KeyScope, now: string): boolean {
      return statements.insert.run(name, keyHash, scope, now).changes > 0
    },
    /** false when there is no usable key of that name */
    revoke(name: string, now: string): boolean {
      return statements.revoke.run(now, name).changes > 0
    },
  }
}

export type KeyWrites = ReturnType<typeof createKeyWrites>
