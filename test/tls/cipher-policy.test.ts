// The server's TLS policy (src/tls/server-options.ts) seen from a client: every TLS 1.2 cipher suite
// OpenSSL knows is offered alone, and only ECDHE + AEAD ones are accepted — at start and after a
// certificate reload through setSecureContext, which must not fall back to Node's default list.
import assert from 'node:assert/strict'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import test from 'node:test'
import tls from 'node:tls'
import { loadTlsMaterial } from '../../src/tls/tls-provider.js'
import { secureContextOptions, tlsServerOptions } from '../../src/tls/server-options.js'
import { makeCapturingLogger, makeTempDir, makeOpensslPair, tlsConfig } from './tls-test-helpers.js'

const TIMEOUT = { timeout: 60_000 }
const ECDHE_AEAD = /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/

/** OpenSSL names of every TLS 1.2-era suite this Node's OpenSSL can offer (TLS 1.3 suites excluded). */
function tls12Suites(): string[] {
  return tls
    .getCiphers()
    .map((name) => name.toUpperCase())
    .filter((name) => !name.startsWith('TLS_'))
}

/** Resolves with the negotiated suite, or null when the server refused the handshake. */
function tryCipher(port: number, cipher: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: `${cipher}@SECLEVEL=0`,
    })
    socket.setTimeout(5_000, () => socket.destroy())
    socket.once('secureConnect', () => {
      const name = socket.getCipher().name
      socket.destroy()
      resolve(name)
    })
    socket.once('error', () => resolve(null))
    socket.once('close', () => resolve(null))
  })
}

async function acceptedSuites(port: number): Promise<string[]> {
  const accepted: string[] = []
  for (const suite of tls12Suites()) {
    const negotiated = await tryCipher(port, suite)
    if (negotiated !== null) accepted.push(negotiated)
  }
  return accepted
}

async function listen(t: test.TestContext, options: tls.TlsOptions): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer(options, (_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  return { server, port: (server.address() as AddressInfo).port }
}

test('with the local CA (ECDSA) only ECDHE-ECDSA AEAD suites are accepted in TLS 1.2', TIMEOUT, async (t) => {
  const { log } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig(), makeTempDir(t), log)
  const { port } = await listen(t, tlsServerOptions(material))
  assert.ok(tls12Suites().some((s) => s.includes('CBC') || /-SHA(256|384)?$/.test(s)), 'this OpenSSL knows CBC suites to offer')
  const accepted = await acceptedSuites(port)
  assert.ok(accepted.length >= 2, `some AEAD suites work: ${accepted.join(' ')}`)
  for (const suite of accepted) assert.match(suite, ECDHE_AEAD)
})

test('a control server on Node defaults accepts CBC suites (the check can fail)', TIMEOUT, async (t) => {
  const { log } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig(), makeTempDir(t), log)
  const { port } = await listen(t, { key: material.key, cert: material.cert, minVersion: 'TLSv1.2' })
  const accepted = await acceptedSuites(port)
  assert.ok(accepted.some((suite) => !ECDHE_AEAD.test(suite)), `Node defaults accept ${accepted.join(' ')}`)
})

test('after a reload with an RSA certificate the policy still holds', TIMEOUT, async (t) => {
  const { log } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig(), makeTempDir(t), log)
  const { server, port } = await listen(t, tlsServerOptions(material))
  const rsa = makeOpensslPair(makeTempDir(t), 'rsa.example', 'rsa')
  server.setSecureContext(secureContextOptions(rsa))
  const accepted = await acceptedSuites(port)
  assert.ok(accepted.some((suite) => suite.startsWith('ECDHE-RSA-')), `RSA suites after the reload: ${accepted.join(' ')}`)
  for (const suite of accepted) assert.match(suite, ECDHE_AEAD)
})
