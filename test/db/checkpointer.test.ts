import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startCheckpointer } from '../../src/db/checkpointer.js'
import { closeDatabase, DATABASE_FILE, openDatabase } from '../../src/db/open.js'
import { tempDir } from '../helpers/test-app.js'

test('with auto-checkpoint off, the worker thread copies the WAL into the database file', async (t) => {
  const dir = tempDir(t)
  const db = openDatabase(dir, { autoCheckpoint: false })
  t.after(() => closeDatabase(db))
  const file = path.join(dir, DATABASE_FILE)
  db.exec('CREATE TABLE blobs (b BLOB)')
  const insert = db.prepare('INSERT INTO blobs (b) VALUES (randomblob(4000))')
  for (let i = 0; i < 1500; i++) insert.run() // ~1500 pages: past the default auto-checkpoint size
  const sizeBefore = statSync(file).size
  assert.ok(statSync(`${file}-wal`).size > 4_000_000, 'the WAL holds the writes; nothing checkpointed them')

  const errors: string[] = []
  const checkpointer = startCheckpointer(file, { intervalMs: 50, onError: (m) => errors.push(m) })
  const deadline = Date.now() + 10_000
  while (statSync(file).size <= sizeBefore && Date.now() < deadline) await sleep(25)
  await checkpointer.stop()
  assert.ok(statSync(file).size > sizeBefore + 4_000_000, 'pages were copied into the database file')
  assert.deepEqual(errors, [])
  // The main connection keeps working after the thread is gone.
  assert.equal((db.prepare('SELECT count(*) AS c FROM blobs').get() as { c: number }).c, 1500)
})
