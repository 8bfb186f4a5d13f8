// Pairing codes (migration 3): only the SHA-256 of a code is stored. Reads run on the caller's
// connection; making and claiming a code are calls to the writer (pairing-writes.ts), each one
// transaction, so a code yields exactly one key.
import type { Db } from './open.js'
import type { Writer } from './write-targets.js'
import { createInlineWriter } from './writer-inline.js'
import type { ClaimOutcome, NewPairingRow, PairingRow } from './pairing-writes.js'

export type { ClaimOutcome, PairingRow } from './pairing-writes.js'

/** Without a writer (commands, tests), writes run in-process on `db`. */
export function createPairingsRepository(db: Db, writer: Writer = createInlineWriter(db)) {
  const statements = {
    byHash: db.prepare<[string], PairingRow>('SELECT * FROM pairings WHERE code_hash = ?'),
  }
  return {
    /** Prunes codes that expired before `pruneBefore`, then stores `row`; false when a key or open pairing has its name. */
    create(row: NewPairingRow, pruneBefore: string): Promise<boolean> {
      return writer.call('pairings', 'create', row, pruneBefore)
    },
    findByHash(codeHash: string): PairingRow | undefined {
      return statements.byHash.get(codeHash)
    },
    /** Marks the code used and stores the key's hash under the pairing's name and scope, in one commit. */
    claim(codeHash: string, now: string, keyHash: string): Promise<ClaimOutcome> {
      return writer.call('pairings', 'claim', codeHash, now, keyHash)
    },
  }
}

export type PairingsRepository = ReturnType<typeof createPairingsRepository>
