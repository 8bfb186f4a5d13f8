import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { createGroupCommit } from '../../src/db/group-commit.js'
import { closeDatabase, openDatabase } from '../../src/db/open.js'
import { tempDir } from '../helpers/test-app.js'

function setup(t: TestContext) {
  const dir = tempDir(t)
  const db = openDatabase(dir)
  db.exec('CREATE TABLE items (n INTEGER PRIMARY KEY)')
  t.after(() => closeDatabase(db))
  return { db, dir, insert: db.prepare<[number]>('INSERT INTO items (n) VALUES (?)') }
}

test('work of one event-loop turn shares one transaction and settles after the commit', async (t) => {
  const { db, dir, insert } = setup(t)
  const group = createGroupCommit(db)
  const seenBefore: number[] = []
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, n) =>
      group.run(() => {
        assert.equal(db.inTransaction, true)
        // Earlier pieces of the same batch are visible: one transaction, not ten.
        seenBefore.push((db.prepare('SELECT count(*) AS c FROM items').get() as { c: number }).c)
        insert.run(n)
        return n * 2
      }),
    ),
  )
  assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
  assert.deepEqual(seenBefore, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  // Another connection sees every row: committed before the promises resolved.
  const other = new Database(`${dir}/vds.sqlite3`, { readonly: true })
  t.after(() => other.close())
  assert.equal((other.prepare('SELECT count(*) AS c FROM items').get() as { c: number }).c, 10)
})

test('a failing piece is rolled back alone; the rest commit', async (t) => {
  const { db, insert } = setup(t)
  const group = createGroupCommit(db)
  const outcomes = await Promise.allSettled([
    group.run(() => insert.run(1)),
    group.run(() => {
      insert.run(2)
      throw new Error('bad piece')
    }),
    group.run(() => insert.run(3)),
  ])
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled'])
  assert.deepEqual(db.prepare('SELECT n FROM items ORDER BY n').pluck().all(), [1, 3])
})

test('when the commit itself fails, every piece of the batch is rejected and nothing is stored', async (t) => {
  const { db, dir, insert } = setup(t)
  db.pragma('busy_timeout = 50')
  const locker = new Database(`${dir}/vds.sqlite3`)
  t.after(() => locker.close())
  locker.exec('BEGIN IMMEDIATE')
  const group = createGroupCommit(db)
  const outcomes = await Promise.allSettled([group.run(() => insert.run(1)), group.run(() => insert.run(2))])
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected'])
  assert.match(String((outcomes[0] as PromiseRejectedResult).reason.code), /^SQLITE_BUSY/)
  locker.exec('ROLLBACK')
  assert.equal((db.prepare('SELECT count(*) AS c FROM items').get() as { c: number }).c, 0)
  // The next batch works again.
  await group.run(() => insert.run(3))
  assert.deepEqual(db.prepare('SELECT n FROM items').pluck().all(), [3])
})
