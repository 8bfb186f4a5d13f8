// A database that refuses (issue 8 item 9): when the keys table or any other table cannot be written
// because another connection holds the write lock, the answer is 503 storage_unavailable with
// Retry-After, never a bug's 500, and nothing is lost: the same request works once the lock is gone.
import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { isStorageFault } from '../../src/core/errors.js'
import { auth, buildTestApp } from '../helpers/test-app.js'

async function lockedApp(t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t)
  // The server gives up on a lock after busy_timeout (100 ms in the server); keep the test short.
  ctx.db.pragma('busy_timeout = 100')
  const other = new Database(path.join(ctx.config.storage.data_dir, path.basename(ctx.db.name)))
  t.after(() => other.close())
  return { ...ctx, lock: () => other.exec('BEGIN EXCLUSIVE'), unlock: () => other.exec('ROLLBACK') }
}

test('claiming a pairing (a write to the keys table) while another connection holds BEGIN EXCLUSIVE is 503, and works after', async (t) => {
  const { app, lock, unlock } = await lockedApp(t)
  const made = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-lock' } })
  assert.equal(made.statusCode, 201)
  const { code } = made.json() as { code: string }

  lock()
  const refused = await app.inject({ method: 'POST', url: `/api/v1/pairings/${code}/claim` })
  assert.equal(refused.statusCode, 503, refused.body)
  assert.equal(refused.headers['retry-after'], '5')
  const body = refused.json() as { success: boolean; error: { code: string; message: string }; request_id: string }
  assert.equal(body.success, false)
  assert.equal(body.error.code, 'storage_unavailable')
  assert.doesNotMatch(body.error.message, /SQLITE|locked|\//, 'no internals in the message')
  // Reads are still served meanwhile (WAL): the key check and history work under the lock.
  assert.equal((await app.inject({ url: '/api/v1/history?limit=1', headers: auth })).statusCode, 200)

  unlock()
  const claimed = await app.inject({ method: 'POST', url: `/api/v1/pairings/${code}/claim` })
  assert.equal(claimed.statusCode, 201, 'the refused claim did not use the code up')
  const key = (claimed.json() as { key: string }).key
  assert.equal((await app.inject({ url: '/api/v1/history?limit=1', headers: { 'x-api-key': key } })).statusCode, 200)
})

test('making a pairing (a write to the pairings table) under the lock is 503 too', async (t) => {
  const { app, lock, unlock } = await lockedApp(t)
  lock()
  const pairing = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-two' } })
  assert.deepEqual([pairing.statusCode, (pairing.json() as { error: { code: string } }).error.code], [503, 'storage_unavailable'])
  unlock()
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-two' } })).statusCode, 201)
})

test('which SQLite codes are storage faults: the refusals, not the bugs', () => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN']) {
    assert.equal(isStorageFault({ code }), true, code)
  }
  for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_MISMATCH', 'ENOENT', undefined]) {
    assert.equal(isStorageFault({ code }), false, String(code))
  }
  assert.equal(isStorageFault(null), false)
})
