// Pairing codes (migration 3): only the SHA-256 of a code is stored. Claiming marks the code used
// and stores the new key in one transaction, so a code yields exactly one key.
import type { Db } from './open.js'
import type { KeyScope } from '../core/types.js'

export interface PairingRow {
  /** hex SHA-256 of the code */
  code_hash: string
  /** the key name the phone gets */
  name: string
  scope: KeyScope
  created_at: string
  expires_at: string
  claimed_at: string | null
}

export function createPairingsRepository(db: Db) {
  const statements = {
    insert: db.prepare<PairingRow>(`
      INSERT INTO pairings (code_hash, name, scope, created_at, expires_at, claimed_at)
      VALUES (@code_hash, @name, @scope, @created_at, @expires_at, NULL)`),
    byHash: db.prepare<[string], PairingRow>('SELECT * FROM pairings WHERE code_hash = ?'),
    openByName: db.prepare<[string, string], PairingRow>(
      'SELECT * FROM pairings WHERE name = ? AND claimed_at IS NULL AND expires_at > ? LIMIT 1',
    ),
    markClaimed: db.prepare<[string, string, string]>(
      'UPDATE pairings SET claimed_at = ? WHERE code_hash = ? AND claimed_at IS NULL AND expires_at > ?',
    ),
    // Used and expired codes are kept a day, so a late tap is told "expired" rather than "unknown".
    prune: db.prepare<[string]>('DELETE FROM pairings WHERE expires_at < ?'),
  }
  return {
    insert(row: Omit<PairingRow, 'claimed_at'>): void {
      statements.insert.run({ ...row, claimed_at: null })
    },
    findByHash(codeHash: string): PairingRow | undefined {
      return statements.byHash.get(codeHash)
    },
    /** An unused, unexpired pairing for this key name. */
    findOpenByName(name: string, now: string): PairingRow | undefined {
      return statements.openByName.get(name, now)
    },
    /**
     * Marks the code used and runs `storeKey` in the same transaction. Undefined when the code was
     * not open (used or expired); throws NameTakenError, rolling the claim back, when `storeKey` could not store.
     */
    claim<T>(codeHash: string, now: string, storeKey: () => T | undefined): T | undefined {
      return db.transaction((): T | undefined => {
        if (statements.markClaimed.run(now, codeHash, now).changes === 0) return undefined
        const stored = storeKey()
        if (stored === undefined) throw new NameTakenError()
        return stored
      }).immediate()
    },
    pruneBefore(cutoff: string): void {
      statements.prune.run(cutoff)
    },
  }
}

/** The key name was taken between the pairing and its claim. */
export class NameTakenError extends Error {
  override name = 'NameTakenError'
}

export type PairingsRepository = ReturnType<typeof createPairingsRepository>
