// Reads that run at every request or wake-up must use an index, not walk a table that grows for
// months: checked on the real schema with SQLite's own query planner.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { openDatabase } from '../../src/db/open.js'

const PER_WAKE_UP_READS = {
  'a pending job without a waiting reason': `SELECT EXISTS (SELECT 1 FROM downloads WHERE status = 'pending' AND waiting_reason IS NULL)`,
  'a pending job waiting for the downloader': `SELECT EXISTS (SELECT 1 FROM downloads WHERE status = 'pending' AND waiting_reason = 'downloader_missing')`,
}

test('the queue gate reads pending jobs by waiting reason through an index', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-query-plans-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const db = openDatabase(dir)
  t.after(() => db.close())
  for (const [what, sql] of Object.entries(PER_WAKE_UP_READS)) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('; ')
    assert.match(plan, /USING (COVERING )?INDEX downloads_pending_reason \(waiting_reason/, `${what}: ${plan}`)
  }
})
