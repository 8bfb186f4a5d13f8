// The generated local CA and server certificate, checked field by field against Apple's rules for
// iOS trust with two independent parsers (node:crypto and openssl), plus reuse and renewal.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import test from 'node:test'
import { describeCertificate } from '../../src/tls/certificate-info.js'
import { ensureLocalCertificates, localCaPaths } from '../../src/tls/local-ca.js'
import { canonicalIp } from '../../src/tls/server-names.js'
import { loadTlsMaterial } from '../../src/tls/tls-provider.js'
import { firstPem, makeCapturingLogger, makeTempDir, opensslText, tlsConfig } from './tls-test-helpers.js'

const DAY_MS = 24 * 60 * 60 * 1000
const TIMEOUT = { timeout: 30_000 }
const CONFIGURED = ['NAS.example.com', '10.9.8.7', '2001:db8::5', '[2001:db8::6]']

async function generate(t: test.TestContext, hostnames = CONFIGURED) {
  const dataDir = makeTempDir(t)
  const { log, messages } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig({ hostnames }), dataDir, log)
  assert.ok(material.caCert, 'a local CA is returned')
  const ca = new X509Certificate(material.caCert)
  const server = new X509Certificate(material.cert)
  return { dataDir, log, messages, material, caPem: material.caCert, ca, server }
}

test('the CA follows Apple rules: CA:TRUE critical, keyCertSign + cRLSign, P-256, SHA-256, 10 years', TIMEOUT, async (t) => {
  const { ca, caPem } = await generate(t)
  assert.equal(ca.ca, true)
  assert.equal(ca.publicKey.asymmetricKeyType, 'ec')
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  assert.match(ca.subject, new RegExp(`CN=Video Download Server local CA \\(${os.hostname()}\\)`))
  assert.ok(ca.verify(ca.publicKey), 'self-signed')
  const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * DAY_MS)
  assert.ok(years >= 9.9 && years <= 10.1, `CA valid ~10 years, got ${years}`)

  const text = opensslText(caPem)
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE/)
  assert.match(text, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/)
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/)
  assert.match(text, /NIST CURVE: P-256/)
  assert.match(text, /X509v3 Subject Key Identifier/)
})

test('the server certificate follows Apple rules field by field', TIMEOUT, async (t) => {
  const { server, ca, material } = await generate(t)
  assert.equal(server.ca, false)
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'EKU is serverAuth only')
  assert.equal(server.publicKey.asymmetricKeyType, 'ec')
  assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), 'signed by the CA')

  const validityDays = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / DAY_MS
  assert.ok(validityDays <= 825, `validity ${validityDays} days exceeds Apple's 825`)
  assert.equal(validityDays, 397)

  const text = opensslText(material.cert)
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/)
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/, 'digitalSignature only (no keyEncipherment for EC)')
  assert.match(text, /X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/)
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/)
  assert.match(text, /NIST CURVE: P-256/)
  assert.match(text, /X509v3 Authority Key Identifier/)
})

test('the SAN lists every name and address, each as the right type', TIMEOUT, async (t) => {
  const { server, material } = await generate(t)
  const san = (server.subjectAltName ?? '').split(', ')
  const expected = [
    'DNS:localhost',
    `DNS:${os.hostname().toLowerCase()}`,
    `DNS:${os.hostname().toLowerCase().split('.')[0]}.local`,
    'DNS:nas.example.com',
    'IP Address:127.0.0.1',
    'IP Address:0:0:0:0:0:0:0:1',
    'IP Address:10.9.8.7',
    'IP Address:2001:DB8:0:0:0:0:0:5',
    'IP Address:2001:DB8:0:0:0:0:0:6',
  ]
  for (const entry of expected) assert.ok(san.includes(entry), `SAN lacks ${entry}: ${server.subjectAltName}`)
  const sanIps = describeCertificate(material.cert).names.ips
  for (const address of Object.values(os.networkInterfaces()).flat()) {
    if (address && !address.internal) {
      assert.ok(sanIps.includes(canonicalIp(address.address)), `SAN lacks interface address ${address.address}`)
    }
  }
  assert.ok(!san.some((entry) => entry === 'DNS:10.9.8.7'), 'an IP literal must not be a DNS name')

  const text = opensslText(material.cert)
  assert.match(text, /DNS:nas\.example\.com/)
  assert.match(text, /IP Address:10\.9\.8\.7/)
})

test('serial numbers are 16 random bytes and positive', TIMEOUT, async (t) => {
  const { server, ca } = await generate(t)
  for (const cert of [server, ca]) {
    assert.match(cert.serialNumber, /^[0-7][0-9A-F]{31}$/, `serial ${cert.serialNumber}`)
  }
  assert.notEqual(server.serialNumber, ca.serialNumber)
})

test('openssl verifies the chain for the sslserver purpose', TIMEOUT, async (t) => {
  const { dataDir } = await generate(t)
  const paths = localCaPaths(dataDir)
  const out = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', paths.caCert, paths.serverCert], {
    encoding: 'utf8',
  })
  assert.match(out, /: OK/)
})

test('files are kept in <dataDir>/tls with private keys readable by the owner only', TIMEOUT, async (t) => {
  const { dataDir, material, caPem } = await generate(t)
  const paths = localCaPaths(dataDir)
  assert.equal(fs.readFileSync(paths.caCert, 'utf8'), caPem)
  assert.equal(fs.readFileSync(paths.serverKey, 'utf8'), material.key)
  assert.equal(firstPem(material.cert), fs.readFileSync(paths.serverCert, 'utf8'))
  assert.ok(material.cert.endsWith(caPem.trimEnd() + '\n'), 'the chain ends with the CA')
  if (process.platform !== 'win32') {
    assert.equal(fs.statSync(paths.caKey).mode & 0o777, 0o600)
    assert.equal(fs.statSync(paths.serverKey).mode & 0o777, 0o600)
  }
})

test('a second start reuses the same files without loading the generator', TIMEOUT, async (t) => {
  const { dataDir, log, material } = await generate(t)
  const again = await loadTlsMaterial(tlsConfig({ hostnames: CONFIGURED }), dataDir, log)
  assert.deepEqual(again, material)
  // reflect-metadata installs Reflect.getMetadata when @peculiar/x509 loads; generation ran in a
  // child process, so the server process must not have it.
  assert.equal((Reflect as { getMetadata?: unknown }).getMetadata, undefined)
})

test('the server certificate is renewed when fewer than 30 days remain; the CA is kept', TIMEOUT, async (t) => {
  const { dataDir, log, material, caPem } = await generate(t)
  const base = { dataDir, hostnames: CONFIGURED, log }
  const validTo = Date.parse(new X509Certificate(material.cert).validTo)

  const stillFine = await ensureLocalCertificates({ ...base, now: new Date(validTo - 31 * DAY_MS) })
  assert.equal(stillFine.issued, false)
  assert.equal(stillFine.cert, material.cert)

  const renewDate = new Date(validTo - 29 * DAY_MS)
  const renewed = await ensureLocalCertificates({ ...base, now: renewDate })
  assert.equal(renewed.issued, true)
  assert.equal(renewed.caCert, caPem, 'CA kept')
  const fresh = new X509Certificate(renewed.cert)
  assert.notEqual(fresh.serialNumber, new X509Certificate(material.cert).serialNumber)
  assert.ok(Date.parse(fresh.validTo) > validTo, 'new certificate lasts longer')
  assert.ok(fresh.verify(new X509Certificate(caPem).publicKey))

  const reused = await ensureLocalCertificates({ ...base, now: renewDate })
  assert.equal(reused.issued, false, 'the renewed certificate is stored and reused')
})

test('the server certificate is re-issued when the configured names change; the CA is kept', TIMEOUT, async (t) => {
  const { dataDir, log, material, caPem } = await generate(t)
  const changed = await ensureLocalCertificates({ dataDir, hostnames: [...CONFIGURED, 'vds.home.arpa'], log })
  assert.equal(changed.issued, true)
  assert.equal(changed.caCert, caPem)
  assert.notEqual(changed.cert, material.cert)
  assert.ok(describeCertificate(changed.cert).names.dns.includes('vds.home.arpa'))

  const removed = await ensureLocalCertificates({ dataDir, hostnames: ['10.9.8.7'], log })
  assert.equal(removed.issued, true, 'removing names re-issues too')
  assert.ok(!describeCertificate(removed.cert).names.dns.includes('vds.home.arpa'))
})

test('a damaged server key is replaced; a damaged CA is replaced with a warning', TIMEOUT, async (t) => {
  const { dataDir, caPem } = await generate(t)
  const { log, messages, WARN } = makeCapturingLogger()
  const paths = localCaPaths(dataDir)
  fs.writeFileSync(paths.serverKey, 'not a key')
  const repaired = await ensureLocalCertificates({ dataDir, hostnames: CONFIGURED, log })
  assert.equal(repaired.issued, true)
  assert.equal(repaired.caCert, caPem)

  fs.writeFileSync(paths.caKey, fs.readFileSync(paths.serverKey))
  const newCa = await ensureLocalCertificates({ dataDir, hostnames: CONFIGURED, log })
  assert.notEqual(newCa.caCert, caPem)
  assert.ok(new X509Certificate(newCa.cert).verify(new X509Certificate(newCa.caCert).publicKey))
  assert.ok(messages(WARN).some((m) => /replacing the local certificate authority/.test(m)), messages().join('\n'))
})

test('a key file that became world-readable gets mode 600 back', { ...TIMEOUT, skip: process.platform === 'win32' }, async (t) => {
  const { dataDir, log } = await generate(t)
  const paths = localCaPaths(dataDir)
  fs.chmodSync(paths.serverKey, 0o644)
  await ensureLocalCertificates({ dataDir, hostnames: CONFIGURED, log })
  assert.equal(fs.statSync(paths.serverKey).mode & 0o777, 0o600)
})

test('a tls.hostnames entry that is neither a name nor an address is refused with a hint', TIMEOUT, async (t) => {
  const dataDir = makeTempDir(t)
  const { log } = makeCapturingLogger()
  await assert.rejects(
    loadTlsMaterial(tlsConfig({ hostnames: ['https://nas.example.com:8443/'] }), dataDir, log),
    /tls\.hostnames entry "https:\/\/nas\.example\.com:8443\/" is neither a DNS name nor an IP address: .*no scheme, port or path/,
  )
})
