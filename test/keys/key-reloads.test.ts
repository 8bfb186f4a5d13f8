// The key verifier re-reads the stored keys only when api_keys changed (issue 9). With the writer
// thread, every submission is a commit from another connection, so "the database changed" (SQLite's
// data_version) is true on nearly every turn of the event loop under load; the verifier watches the
// api_keys_version counter instead. A revocation from another process still refuses the very next
// request. Real HTTP on loopback (each request its own turn), a real writer thread, a real SQLite file.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { DATABASE_FILE } from '../../src/db/open.js'
import { ADMIN_KEY, buildTestApp, idleProbes } from '../helpers/test-app.js'

/** `vds keys` in another process: its own connection, plain SQL. */
function otherProcess(dataDir: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path.join(dataDir, DATABASE_FILE))
  try {
    db.prepare(sql).run(...params)
  } finally {
    db.close()
  }
}

test('submissions do not reload the keys; a revocation is seen at the next request', { timeout: 60_000 }, async (t) => {
  const s = await buildTestApp(t, { writerThread: true, probes: idleProbes, config: { security: { rate_limit_per_hour: 1_000_000 } } })
  const dataDir = s.config.storage.data_dir
  const phoneKey = `vds_${randomBytes(32).toString('base64url')}`
  otherProcess(dataDir, 'INSERT INTO api_keys (name, key_hash, scope, created_at) VALUES (?, ?, ?, ?)',
    'phone', createHash('sha256').update(phoneKey).digest('hex'), 'submit', new Date().toISOString())
  const base = await s.app.listen({ host: '127.0.0.1', port: 0 })
  const send = (key: string, url: string, body?: unknown) =>
    fetch(`${base}${url}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
  assert.equal((await send(phoneKey, '/api/v1/history?limit=1')).status, 200, 'a key added by another process works without a restart')

  let reloads = 0
  const listActive = s.apiKeys.listActive.bind(s.apiKeys)
  s.apiKeys.listActive = () => {
    reloads++
    return listActive()
  }
  // Four clients, 50 submissions each, with status reads between: 200 commits on the writer thread.
  let n = 0
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      for (let i = 0; i < 50; i++) {
        const key = lane % 2 === 0 ? ADMIN_KEY : phoneKey
        const answer = await send(key, '/api/v1/download', { url: `https://www.tiktok.com/@anna/video/${lane}${i}${n++}` })
        const body = await answer.text()
        assert.equal(answer.status, 201, body)
        const { download_id } = JSON.parse(body) as { download_id: string }
        assert.equal((await send(key, `/api/v1/status/${download_id}`)).status, 200)
      }
    }),
  )
  assert.equal(s.downloads.countsByStatus().pending, 200)
  assert.equal(reloads, 0, 'the key table did not change, so it was not read again')

  otherProcess(dataDir, 'UPDATE api_keys SET revoked_at = ? WHERE name = ?', new Date().toISOString(), 'phone')
  assert.equal((await send(phoneKey, '/api/v1/history?limit=1')).status, 401, 'revoked: refused at the next request')
  assert.equal((await send(ADMIN_KEY, '/api/v1/history?limit=1')).status, 200)
  assert.equal(reloads, 1, 'one re-read, for the revocation')
})
