// CR, LF and NUL where HTTP forbids them never reach a route: Node's parser refuses the request and
// the server answers with the usual error body, then keeps serving. Needs a real socket: inject()
// does not parse HTTP.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { ADMIN_KEY, buildTestApp } from '../../helpers/test-app.js'

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')))
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    // Not end(): a half-closed socket makes Node drop the answer; the server closes after answering.
    socket.write(request, 'latin1')
  })
}

const MALFORMED: Array<[string, string]> = [
  ['CR inside a header value', `GET /api/v1/history HTTP/1.1\r\nHost: x\r\nX-API-Key: ${ADMIN_KEY}\rX-Injected: 1\r\n\r\n`],
  ['LF inside a header value', `GET /api/v1/history HTTP/1.1\r\nHost: x\r\nX-API-Key: a\nb: c\r\n\r\n`],
  ['NUL inside a header value', `GET /api/v1/history HTTP/1.1\r\nHost: x\r\nX-API-Key: ${ADMIN_KEY}\u0000\r\n\r\n`],
  ['NUL in the path', `GET /api/v1/health\u0000/x HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['CR in the path', `GET /api/v1/health\r/x HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['space in a header name', `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX Api: 1\r\n\r\n`],
  ['oversized headers', `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`],
]

test('CR/LF/NUL in headers or the request line: 4xx with the error body, and the server keeps serving', async (t) => {
  const { app } = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  for (const [name, request] of MALFORMED) {
    const answer = await rawRequest(port, request)
    const [head = '', body = ''] = answer.split('\r\n\r\n')
    assert.match(head, /^HTTP\/1\.1 4\d\d /, `${name}: ${head.split('\r\n')[0]}`)
    assert.match(head, /\r\nx-content-type-options: nosniff/i, `${name}: security headers`)
    assert.match(head, /\r\nx-frame-options: DENY/i, `${name}: security headers`)
    const parsed = JSON.parse(body) as { success: boolean; error: { code: string }; request_id: string }
    assert.equal(parsed.success, false, name)
    assert.match(parsed.error.code, /^[a-z_]+$/, name)
    assert.match(head, new RegExp(`\\r\\nx-request-id: ${parsed.request_id}`, 'i'), `${name}: request id`)
    assert.ok(!head.toLowerCase().includes('x-injected'), `${name}: nothing injected into the answer`)
  }
  const health = await rawRequest(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.match(health, /^HTTP\/1\.1 (200|503) /, 'still serving')
})
