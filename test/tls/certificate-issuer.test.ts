// The generator loaded in-process, as local-ca.ts does when the child process cannot run. Kept in
// its own file: node --test runs each file in its own process, so loading @peculiar/x509 here does
// not disturb the check in local-ca.test.ts that the server process never loads it.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import test from 'node:test'
import { issueCertificates, SERVER_VALIDITY_DAYS } from '../../src/tls/certificate-issuer.js'

const DAY_MS = 24 * 60 * 60 * 1000
const names = { dns: ['localhost', 'pi.local'], ips: ['127.0.0.1', '::1', '192.168.1.20'] }

test('issues a CA and a server certificate in-process, then reuses the given CA', { timeout: 30_000 }, async () => {
  const nowMs = Date.UTC(2030, 0, 1)
  const first = await issueCertificates({ ca: null, hostname: 'pi', names, nowMs })
  assert.equal(first.caIsNew, true)
  const ca = new X509Certificate(first.ca.cert)
  const server = new X509Certificate(first.server.cert)
  assert.ok(server.verify(ca.publicKey))
  assert.equal(server.subjectAltName, 'DNS:localhost, DNS:pi.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20')
  assert.equal((Date.parse(server.validTo) - Date.parse(server.validFrom)) / DAY_MS, SERVER_VALIDITY_DAYS)
  assert.ok(Date.parse(server.validFrom) <= nowMs, 'valid from the requested time (slightly backdated)')

  const second = await issueCertificates({ ca: first.ca, hostname: 'pi', names, nowMs })
  assert.equal(second.caIsNew, false)
  assert.equal(second.ca, first.ca)
  assert.ok(new X509Certificate(second.server.cert).verify(ca.publicKey))
})

test('a server certificate never outlives its CA', { timeout: 30_000 }, async () => {
  const caIssuedMs = Date.UTC(2030, 0, 1)
  const { ca } = await issueCertificates({ ca: null, hostname: 'pi', names, nowMs: caIssuedMs })
  const caExpiry = Date.parse(new X509Certificate(ca.cert).validTo)
  const late = await issueCertificates({ ca, hostname: 'pi', names, nowMs: caExpiry - 100 * DAY_MS })
  assert.equal(Date.parse(new X509Certificate(late.server.cert).validTo), caExpiry)
})
