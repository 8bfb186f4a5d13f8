// The iOS profile that installs the local CA, and the routes that offer it and the CA certificate.
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import test from 'node:test'
import Fastify from 'fastify'
import { parse } from 'plist'
import { coerceError } from '../../src/core/errors.js'
import { caRoutes, type CaRoutesOptions } from '../../src/http/routes/ca.js'
import { buildCaMobileconfig } from '../../src/tls/ios-profile.js'
import { ensureLocalCertificates } from '../../src/tls/local-ca.js'
import { makeCapturingLogger, makeTempDir } from './tls-test-helpers.js'

const TIMEOUT = { timeout: 30_000 }
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/

async function makeCa(t: test.TestContext): Promise<string> {
  const { caCert } = await ensureLocalCertificates({ dataDir: makeTempDir(t), hostnames: [], log: makeCapturingLogger().log })
  return caCert
}

type Payload = Record<string, unknown>

function parseProfile(xml: string): { profile: Payload; root: Payload } {
  const profile = parse(xml) as Payload
  const content = profile.PayloadContent as Payload[]
  assert.equal(content.length, 1)
  return { profile, root: content[0] as Payload }
}

test('the mobileconfig is a Configuration profile with one root payload holding the CA DER', TIMEOUT, async (t) => {
  const caPem = await makeCa(t)
  const xml = buildCaMobileconfig(caPem, { hostname: 'pi-kitchen' })
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/)
  const { profile, root } = parseProfile(xml)

  assert.equal(profile.PayloadType, 'Configuration')
  assert.equal(profile.PayloadVersion, 1)
  assert.match(String(profile.PayloadDisplayName), /pi-kitchen/)
  assert.match(String(profile.PayloadUUID), UUID)
  assert.equal(root.PayloadType, 'com.apple.security.root')
  assert.equal(root.PayloadVersion, 1)
  assert.match(String(root.PayloadUUID), UUID)
  assert.notEqual(root.PayloadUUID, profile.PayloadUUID)
  assert.ok(String(root.PayloadIdentifier).startsWith(`${String(profile.PayloadIdentifier)}.`))
  assert.ok(root.PayloadContent instanceof Uint8Array)
  assert.deepEqual(Buffer.from(root.PayloadContent), new X509Certificate(caPem).raw)
})

test('identifiers are stable for one CA and differ for another, so reinstalling replaces', TIMEOUT, async (t) => {
  const caPem = await makeCa(t)
  const otherCaPem = await makeCa(t)
  const ids = (pem: string) => {
    const { profile, root } = parseProfile(buildCaMobileconfig(pem, { hostname: 'h' }))
    return [profile.PayloadIdentifier, profile.PayloadUUID, root.PayloadIdentifier, root.PayloadUUID]
  }
  assert.deepEqual(ids(caPem), ids(caPem))
  const [a, b] = [ids(caPem), ids(otherCaPem)]
  for (let i = 0; i < a.length; i++) assert.notEqual(a[i], b[i])
})

test('buildCaMobileconfig refuses something that is not a certificate', () => {
  assert.throws(() => buildCaMobileconfig('not a certificate', { hostname: 'h' }))
})

async function buildApp(t: test.TestContext, options: CaRoutesOptions) {
  const app = Fastify()
  // The same error body the real app sends (src/http/app.ts), so the 404 shape can be checked.
  app.setErrorHandler((err, request, reply) => {
    const appError = coerceError(err)
    return reply
      .code(appError.statusCode)
      .send({ success: false, error: { code: appError.code, message: appError.message }, request_id: request.id })
  })
  await app.register(caRoutes, options)
  t.after(() => app.close())
  return app
}

test('GET /ca.crt and GET /ca.mobileconfig serve the CA with the content types iOS expects', TIMEOUT, async (t) => {
  const caPem = await makeCa(t)
  const app = await buildApp(t, { caCert: caPem, hostname: 'pi-kitchen' })

  const crt = await app.inject({ method: 'GET', url: '/ca.crt' })
  assert.equal(crt.statusCode, 200)
  assert.equal(crt.headers['content-type'], 'application/x-x509-ca-cert')
  assert.match(String(crt.headers['content-disposition']), /attachment; filename=".+\.crt"/)
  assert.equal(crt.body, caPem)

  const profile = await app.inject({ method: 'GET', url: '/ca.mobileconfig' })
  assert.equal(profile.statusCode, 200)
  assert.equal(profile.headers['content-type'], 'application/x-apple-aspen-config')
  assert.equal(profile.body, buildCaMobileconfig(caPem, { hostname: 'pi-kitchen' }))
})

test('a getter serves the current CA after it was replaced', TIMEOUT, async (t) => {
  let current = await makeCa(t)
  const app = await buildApp(t, { caCert: () => current })
  const first = await app.inject({ method: 'GET', url: '/ca.mobileconfig' })
  current = await makeCa(t)
  const second = await app.inject({ method: 'GET', url: '/ca.mobileconfig' })
  assert.notEqual(first.body, second.body)
  assert.deepEqual(Buffer.from(parseProfile(second.body).root.PayloadContent as Uint8Array), new X509Certificate(current).raw)
  assert.equal((await app.inject({ method: 'GET', url: '/ca.crt' })).body, current)
})

test('both routes answer 404 not_found when the owner\'s certificate files are used', TIMEOUT, async (t) => {
  const app = await buildApp(t, { caCert: null })
  for (const url of ['/ca.crt', '/ca.mobileconfig']) {
    const res = await app.inject({ method: 'GET', url })
    assert.equal(res.statusCode, 404)
    const body = res.json()
    assert.equal(body.success, false)
    assert.equal(body.error.code, 'not_found')
    assert.match(body.error.message, /tls\.cert_file/)
    assert.equal(typeof body.request_id, 'string')
  }
})
