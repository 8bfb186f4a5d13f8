// Slow and idle clients on raw sockets against the real app listening on loopback with short limits
// (the same buildApp main.ts uses; only the numbers are shortened): headers dripped byte by byte,
// a body that never completes, an idle keep-alive connection — each socket is closed by the server
// within its limit plus Node's check interval, while a prompt request on the same server is answered.
import assert from 'node:assert/strict'
import net from 'node:net'
import test from 'node:test'
import type { ConnectionLimits } from '../../src/http/connection-limits.js'
import { buildApp } from '../../src/http/app.js'
import { ADMIN_KEY, buildTestApp } from '../helpers/test-app.js'

const LIMITS: ConnectionLimits = { headersMs: 600, requestMs: 1_200, keepAliveMs: 700, idleSocketMs: 20_000, checkIntervalMs: 100 }
// Without the limits the idle-socket timeout (20 s here) would be the first to act.
const MUST_CLOSE_WITHIN_MS = 4_000

async function listen(t: test.TestContext): Promise<number> {
  // The test app's services under a second app built with the short limits.
  const services = await buildTestApp(t)
  const app = await buildApp(services, { limits: LIMITS })
  t.after(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as net.AddressInfo).port
}

interface Watched {
  socket: net.Socket
  received: () => string
  /** ms from connect until the server closed the socket */
  closed: Promise<number>
}

async function connect(port: number): Promise<Watched> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  const openedAt = Date.now()
  let text = ''
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
  socket.on('error', () => {})
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)))
  return { socket, received: () => text, closed }
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function drip(socket: net.Socket, text: string, everyMs: number): void {
  let index = 0
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer)
    socket.write(text[index++]!)
  }, everyMs)
  socket.once('close', () => clearInterval(timer))
}

function closedWithin(watched: Watched, ms: number): Promise<number> {
  return Promise.race([
    watched.closed,
    new Promise<number>((_resolve, reject) =>
      setTimeout(() => {
        watched.socket.destroy()
        reject(new Error(`the server kept the socket open for ${ms} ms; received: ${JSON.stringify(watched.received())}`))
      }, ms),
    ),
  ])
}

const TIMEOUT = { timeout: 30_000 }

test('headers dripped slowly: the socket is closed at the header limit (408), though bytes keep coming', TIMEOUT, async (t) => {
  const port = await listen(t)
  const slow = await connect(port)
  slow.socket.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  drip(slow.socket, `X-Slow: ${'a'.repeat(500)}\r\n`, 50)
  const ms = await closedWithin(slow, MUST_CLOSE_WITHIN_MS)
  assert.ok(ms >= LIMITS.headersMs - 50, `closed after ${ms} ms, not before the limit`)
  assert.match(slow.received(), /^HTTP\/1\.1 408 /)
  assert.match(slow.received(), /"code":"request_timeout"/)
})

test('a connection that sends nothing is closed at the header limit', TIMEOUT, async (t) => {
  const port = await listen(t)
  const silent = await connect(port)
  const ms = await closedWithin(silent, MUST_CLOSE_WITHIN_MS)
  assert.ok(ms >= LIMITS.headersMs - 50, `closed after ${ms} ms`)
})

test('a body that never completes: the socket is closed at the request limit', TIMEOUT, async (t) => {
  const port = await listen(t)
  const slow = await connect(port)
  slow.socket.write(
    'POST /api/v1/download HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n' +
      `X-API-Key: ${ADMIN_KEY}\r\n\r\n{"url": "`,
  )
  drip(slow.socket, 'h'.repeat(300), 50)
  const ms = await closedWithin(slow, MUST_CLOSE_WITHIN_MS)
  assert.ok(ms >= LIMITS.requestMs - 50, `closed after ${ms} ms, not before the limit`)
})

test('an idle keep-alive connection is closed after its limit; a prompt request is answered first', TIMEOUT, async (t) => {
  const port = await listen(t)
  const client = await connect(port)
  client.socket.write(`GET /api/v1/history HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${ADMIN_KEY}\r\n\r\n`)
  const answeredAt = await new Promise<number>((resolve) => {
    const check = () => (/\r\n\r\n[\s\S]*"downloads"/.test(client.received()) ? resolve(Date.now()) : setTimeout(check, 5))
    check()
  })
  assert.match(client.received(), /^HTTP\/1\.1 200 /)
  assert.match(client.received(), /keep-alive/i)
  await closedWithin(client, MUST_CLOSE_WITHIN_MS)
  const idleMs = Date.now() - answeredAt
  assert.ok(idleMs >= LIMITS.keepAliveMs - 100, `idle connection closed after ${idleMs} ms`)
})
