// Real HTTPS with the generated material, configured as main.ts does: TLS 1.2 and 1.3 clients that
// trust only the local CA connect, a TLS 1.1 client is refused by the server, and renewal swaps the
// certificate of a running server.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import test from 'node:test'
import tls from 'node:tls'
import { describeCertificate } from '../../src/tls/certificate-info.js'
import { loadTlsMaterial, scheduleRenewal, type TlsMaterial } from '../../src/tls/tls-provider.js'
import { makeCapturingLogger, makeTempDir, sleep, tlsConfig, waitFor } from './tls-test-helpers.js'

const TIMEOUT = { timeout: 30_000 }

async function startServer(t: test.TestContext, material: TlsMaterial) {
  const server = https.createServer({ key: material.key, cert: material.cert, minVersion: 'TLSv1.2' }, (_req, res) =>
    res.end('ok'),
  )
  const clientErrors: Error[] = []
  server.on('tlsClientError', (err) => clientErrors.push(err))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  return { server, port: (server.address() as AddressInfo).port, clientErrors }
}

/** Connects, completes the handshake and returns the protocol and the certificate presented. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<{ protocol: string | null; peer: tls.PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      const result = { protocol: socket.getProtocol(), peer: socket.getPeerCertificate() }
      socket.end()
      resolve(result)
    })
    socket.setTimeout(5_000, () => socket.destroy(new Error('handshake timed out')))
    socket.once('error', reject)
  })
}

async function localMaterial(t: test.TestContext, hostnames: string[] = []) {
  const dataDir = makeTempDir(t)
  const { log } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig({ hostnames }), dataDir, log)
  assert.ok(material.caCert)
  return { dataDir, log, material, caCert: material.caCert }
}

test('TLS 1.2 and TLS 1.3 handshakes succeed with the local CA as the only trust anchor', TIMEOUT, async (t) => {
  const { material, caCert } = await localMaterial(t)
  const { port } = await startServer(t, material)
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const { protocol } = await handshake(port, {
      servername: 'localhost',
      ca: caCert,
      minVersion: version,
      maxVersion: version,
    })
    assert.equal(protocol, version)
  }
})

test('an HTTPS request by IP address verifies against the IP SAN', TIMEOUT, async (t) => {
  const { material, caCert } = await localMaterial(t)
  const { port } = await startServer(t, material)
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/', ca: caCert, agent: false }, (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve(text))
      })
      .once('error', reject)
  })
  assert.equal(body, 'ok')
})

test('clients reject the certificate without the CA or for a name it does not list', TIMEOUT, async (t) => {
  const { material, caCert } = await localMaterial(t)
  const { port } = await startServer(t, material)
  await assert.rejects(handshake(port, { servername: 'localhost' }), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })
  await assert.rejects(handshake(port, { servername: 'not-this-server.example', ca: caCert }), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  })
})

test('a TLS 1.1 client is refused by the server', TIMEOUT, async (t) => {
  const { material, caCert } = await localMaterial(t)
  const { port, clientErrors } = await startServer(t, material)
  await assert.rejects(
    handshake(port, {
      servername: 'localhost',
      ca: caCert,
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      // Lowers the client's own security level so that OpenSSL lets it offer TLS 1.1 at all: the
      // refusal below then provably comes from the server's minVersion.
      ciphers: 'DEFAULT@SECLEVEL=0',
    }),
    (err: NodeJS.ErrnoException) => /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION/i.test(`${err.code} ${err.message}`),
  )
  const serverSide = await waitFor(() => clientErrors[0], 2_000, 'the server to report the refused client')
  assert.match(`${(serverSide as NodeJS.ErrnoException).code} ${serverSide.message}`, /unsupported protocol/i)
})

test('scheduled renewal re-issues after a name change and a running server serves the new certificate', TIMEOUT, async (t) => {
  const { dataDir, log, material, caCert } = await localMaterial(t, ['first.example'])
  const { server, port } = await startServer(t, material)
  const updates: TlsMaterial[] = []
  const stop = scheduleRenewal(
    tlsConfig({ hostnames: ['first.example', 'second.example'] }),
    dataDir,
    log,
    (fresh) => {
      updates.push(fresh)
      server.setSecureContext({ key: fresh.key, cert: fresh.cert, minVersion: 'TLSv1.2' })
    },
    { intervalMs: 50 },
  )
  t.after(stop)

  const fresh = await waitFor(() => updates[0], 20_000, 'the renewal check to issue a certificate')
  assert.equal(fresh.caCert, caCert, 'the CA is kept')
  assert.ok(describeCertificate(fresh.cert).names.dns.includes('second.example'))
  const { peer } = await handshake(port, { servername: 'second.example', ca: caCert })
  assert.equal(peer.serialNumber, new X509Certificate(fresh.cert).serialNumber)

  await sleep(300)
  assert.equal(updates.length, 1, 'checks with nothing to renew do not call onChange')
})

test('scheduleRenewal is a no-op when the owner configures certificate files', TIMEOUT, () => {
  const { log } = makeCapturingLogger()
  const stop = scheduleRenewal(tlsConfig({ cert_file: '/x.crt', key_file: '/x.key' }), '/nonexistent', log, () =>
    assert.fail('must not renew'),
  )
  stop()
})
