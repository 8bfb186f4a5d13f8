// The floor peer (SPEC §7): the least a Node server can be and still answer POST /api/v1/download
// durably: Fastify over HTTPS and better-sqlite3 (WAL, synchronous=FULL), one INSERT committed per
// request on the event loop, no logging, no validation library, no dedupe index beyond the URL's.
// Its idle RSS and throughput are what this server is compared with. Started by bench/peers.ts:
//   node bench/peers/floor.js   with FLOOR_PORT, FLOOR_KEY_FILE, FLOOR_CERT_FILE, FLOOR_DB, FLOOR_API_KEY
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import process from 'node:process'
import Database from 'better-sqlite3'
import Fastify from 'fastify'

const env = process.env
const db = new Database(env.FLOOR_DB)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.exec(`CREATE TABLE IF NOT EXISTS downloads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  client_id TEXT NOT NULL, status TEXT NOT NULL, submitted_at TEXT NOT NULL)`)
db.exec('CREATE INDEX IF NOT EXISTS downloads_url ON downloads (url)')
const existing = db.prepare("SELECT id, status, submitted_at FROM downloads WHERE url = ? AND status IN ('pending','downloading','completed') LIMIT 1")
const insert = db.prepare("INSERT INTO downloads (id, url, client_id, status, submitted_at) VALUES (?, ?, ?, 'pending', ?)")

const app = Fastify({
  https: { key: readFileSync(env.FLOOR_KEY_FILE), cert: readFileSync(env.FLOOR_CERT_FILE) },
  logger: false,
})
app.post('/api/v1/download', async (request, reply) => {
  if (request.headers['x-api-key'] !== env.FLOOR_API_KEY) return reply.code(401).send({ error: 'unauthorized' })
  const url = request.body?.url
  if (typeof url !== 'string' || !url.startsWith('https://')) return reply.code(422).send({ error: 'invalid_url' })
  const found = existing.get(url)
  if (found) return reply.code(200).send({ success: true, download_id: found.id, status: found.status, duplicate: true })
  const id = randomUUID()
  const now = new Date().toISOString()
  insert.run(id, url, request.body.client_id ?? 'anonymous', now)
  return reply.code(201).send({ success: true, download_id: id, status: 'pending', message: 'Download queued', submitted_at: now })
})
app.get('/health', async () => ({ status: 'healthy' }))
await app.listen({ host: '127.0.0.1', port: Number(env.FLOOR_PORT) })
process.stdout.write('listening\n')
const stop = () => app.close().then(() => { db.close(); process.exit(0) })
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
