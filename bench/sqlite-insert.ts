// The reference for submission throughput: how many durable single-row transactions this disk
// takes, with the server's own schema, triggers and pragmas (openDatabase: WAL, synchronous=FULL).
import { randomUUID } from 'node:crypto'
import { closeDatabase, openDatabase } from '../src/db/open.js'
import type { Measurement } from './measurement.js'
import { benchVideoUrl } from './server-config.js'

const DURATION_MS = 3000

export const sqliteInsert: Measurement = {
  name: 'sqlite-insert',
  description: `bare durable SQLite inserts, one per transaction, ${DURATION_MS / 1000} s`,
  async run({ tempDir }) {
    const db = openDatabase(tempDir('vds-bench-sqlite-'))
    let inserts = 0
    let elapsedMs = 0
    try {
      // The columns a submission writes, as downloads-repository.ts inserts them.
      const insert = db.prepare(`
        INSERT INTO downloads (id, url, normalized_url, client_id, api_key_name, status, shared_at, submitted_at, updated_at)
        VALUES (?, ?, ?, 'iphone', 'default', 'pending', NULL, ?, ?)`)
      const startedAt = performance.now()
      while ((elapsedMs = performance.now() - startedAt) < DURATION_MS) {
        const url = benchVideoUrl(inserts)
        const now = new Date().toISOString()
        insert.run(randomUUID(), url, url, now, now) // autocommit: one fsync'd transaction each
        inserts++
      }
    } finally {
      closeDatabase(db)
    }
    return [
      {
        id: 'sqlite_insert_rps',
        label: 'Bare durable SQLite inserts/s (reference)',
        value: inserts / (elapsedMs / 1000),
        unit: 'inserts/s',
        detail: `better-sqlite3, WAL + synchronous=FULL, 1 INSERT per transaction, ${inserts} in ${(elapsedMs / 1000).toFixed(1)} s`,
      },
    ]
  },
}
