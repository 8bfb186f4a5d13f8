// The real `vds serve` over HTTPS: a TCP connection that never sends a ClientHello, and one that
// stops in the middle of it, are destroyed within the 5 s handshake limit (Node's default is 120 s).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import test from 'node:test'
import { TLS_HANDSHAKE_TIMEOUT_MS } from '../../src/tls/server-options.js'
import { ensureFreshBuild, startServerProcess } from '../helpers/server-process.js'

const MUST_CLOSE_WITHIN_MS = TLS_HANDSHAKE_TIMEOUT_MS + 3_000

function closedAfter(port: number, send: Buffer | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      const openedAt = Date.now()
      if (send) socket.write(send)
      socket.once('close', () => {
        clearTimeout(timer)
        resolve(Date.now() - openedAt)
      })
    })
    socket.on('error', () => {})
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server kept a handshake-less socket open for ${MUST_CLOSE_WITHIN_MS} ms`))
    }, MUST_CLOSE_WITHIN_MS)
  })
}

test('sockets that never finish the TLS handshake are destroyed within the handshake limit', { timeout: 90_000 }, async (t) => {
  ensureFreshBuild()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-handshake-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServerProcess({ dir })
  t.after(() => server.stop())
  const port = Number(new URL(server.url).port)
  // The first bytes of a TLS record header announcing a ClientHello, then nothing.
  const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
  const [silentMs, partialMs] = await Promise.all([closedAfter(port, null), closedAfter(port, partialHello)])
  for (const ms of [silentMs, partialMs]) assert.ok(ms >= TLS_HANDSHAKE_TIMEOUT_MS - 500, `closed after ${ms} ms`)
  // And the server still serves a client that completes its handshake.
  assert.equal((await server.request('/api/v1/health', { auth: false })).status, 200)
})
