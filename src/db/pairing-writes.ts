// The pairings table's writes, as statements on the write connection (the writer thread builds them,
// write-targets.ts). Each method is one transaction, so the checks and the write it guards see the
// same state: two admins asking for the same name get one pairing, and a code yields exactly one key.
import type { Db } from './open.js'
import { createKeyWrites } from './key-writes.js'
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

export type NewPairingRow = Omit<PairingRow, 'claimed_at'>

/** claimed: the key is stored; not_open: used or expired; name_taken: a key got the name meanwhile (nothing changed) */
export type ClaimOutcome = 'claimed' | 'not_open' | 'name_taken'

class NameTaken extends Error {}

export function createPairingWrites(db: Db) {
  const keys = createKeyWrites(db)
  const statements = {
    insert: db.prepare<NewPairingRow>(`
      INSERT INTO pairings (code_hash, name, scope, created_at, expires_at, claimed_at)
      VALUES (@code_hash, @name, @scope, @created_at, @expires_at, NULL)`),
    // A stored key (also a revoked one) or an unused, unexpired pairing holds the name.
    nameHeld: db
      .prepare<{ name: string; now: string }, number>(`
        SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = @name)
            OR EXISTS (SELECT 1 FROM pairings WHERE name = @name AND claimed_at IS NULL AND expires_at > @now)`)
      .pluck(),
    byHash: db.prepare<[string], PairingRow>('SELECT * FROM pairings WHERE code_hash = ?'),
    markClaimed: db.prepare<[string, string, string]>(
      'UPDATE pairings SET claimed_at = ? WHERE code_hash = ? AND claimed_at IS NULL AND expires_at > ?',
    ),
    // Used and expired codes are kept a day, so a late tap is told "expired" rather than "unknown".
    prune: db.prepare<[string]>('DELETE FROM pairings WHERE expires_at < ?'),
  }

  const createTx = db.transaction((row: NewPairingRow, pruneBefore: string): boolean => {
    statements.prune.run(pruneBefore)
    if (statements.nameHeld.get({ name: row.name, now: row.created_at }) === 1) return false
    statements.insert.run(row)
    return true
  })

  // Throwing rolls the claim back: the code stays open for a pairing under another name.
  const claimTx = db.transaction((codeHash: string, now: string, keyHash: string): ClaimOutcome => {
    if (statements.markClaimed.run(now, codeHash, now).changes === 0) return 'not_open'
    const row = statements.byHash.get(codeHash)!
    if (!keys.add(row.name, keyHash, row.scope, now)) throw new NameTaken()
    return 'claimed'
  })

  return {
    /** Prunes old codes and stores `row`; false (nothing stored) when a key or open pairing has its name. */
    create(row: NewPairingRow, pruneBefore: string): boolean {
      return createTx(row, pruneBefore)
    },
    /** Marks the code used and stores the key (its hash) under the pairing's name and scope. */
    claim(codeHash: string, now: string, keyHash: string): ClaimOutcome {
      try {
        return claimTx(codeHash, now, keyHash)
      } catch (err) {
        if (err instanceof NameTaken) return 'name_taken'
        throw err
      }
    },
  }
}
