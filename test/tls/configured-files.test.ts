// The owner's own certificate files (Let's Encrypt, Tailscale): loading, helpful errors, and
// reloading when they change on disk, including Let's Encrypt style symlink swaps.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { loadTlsMaterial, watchCertificateFiles, type TlsMaterial } from '../../src/tls/tls-provider.js'
import { makeCapturingLogger, makeOpensslPair, makeTempDir, sleep, tlsConfig, waitFor } from './tls-test-helpers.js'

const TIMEOUT = { timeout: 30_000 }
const FAST_POLLING = { pollIntervalMs: 50, debounceMs: 100 }
/** Long enough for several polls plus the debounce: a reload that was going to happen has happened. */
const SETTLE_MS = 600

test('configured files are served as they are, with no local CA', TIMEOUT, async (t) => {
  const dir = makeTempDir(t)
  const pair = makeOpensslPair(dir, 'owner.example')
  const { log } = makeCapturingLogger()
  const material = await loadTlsMaterial(tlsConfig({ cert_file: pair.certFile, key_file: pair.keyFile }), dir, log)
  assert.deepEqual(material, { key: pair.key, cert: pair.cert, caCert: null })
  assert.ok(!fs.existsSync(path.join(dir, 'tls')), 'no local CA is generated')
})

test('configured files that cannot be used are refused with a message that says how to fix it', TIMEOUT, async (t) => {
  const dir = makeTempDir(t)
  const a = makeOpensslPair(dir, 'a.example')
  const b = makeOpensslPair(dir, 'b.example')
  const garbage = path.join(dir, 'garbage.pem')
  fs.writeFileSync(garbage, 'hello')
  const { log } = makeCapturingLogger()
  const load = (overrides: Parameters<typeof tlsConfig>[0]) => loadTlsMaterial(tlsConfig(overrides), dir, log)

  await assert.rejects(load({ cert_file: a.certFile }), /tls\.key_file is not set: set both tls\.cert_file and tls\.key_file/)
  await assert.rejects(load({ key_file: a.keyFile }), /tls\.cert_file is not set: set both/)
  await assert.rejects(load({ cert_file: a.certFile, key_file: b.keyFile }), /does not belong to the certificate in tls\.cert_file/)
  await assert.rejects(load({ cert_file: garbage, key_file: a.keyFile }), /tls\.cert_file .* does not contain a PEM certificate/)
  await assert.rejects(load({ cert_file: a.certFile, key_file: garbage }), /tls\.key_file .* is not an unencrypted PEM private key/)
  await assert.rejects(load({ cert_file: path.join(dir, 'missing.crt'), key_file: a.keyFile }), /cannot read tls\.cert_file .*ENOENT.*check the path/)
})

test('the watcher reloads changed files, keeps the old certificate while they are broken, and stops', TIMEOUT, async (t) => {
  const dir = makeTempDir(t)
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  const install = (pair: { cert: string; key: string }, which: 'both' | 'cert' | 'key' = 'both') => {
    if (which !== 'key') fs.writeFileSync(certFile, pair.cert)
    if (which !== 'cert') fs.writeFileSync(keyFile, pair.key)
  }
  const [first, second, third, fourth] = ['one', 'two', 'three', 'four'].map((name) => makeOpensslPair(dir, `${name}.example`))
  assert.ok(first && second && third && fourth)
  install(first)

  const { log, messages, WARN } = makeCapturingLogger()
  const changes: TlsMaterial[] = []
  const stop = watchCertificateFiles(tlsConfig({ cert_file: certFile, key_file: keyFile }), log, (m) => changes.push(m), FAST_POLLING)
  t.after(stop)
  // fs.watchFile takes its baseline stat asynchronously: let it settle before the first change.
  await sleep(SETTLE_MS)

  install(second)
  const reloaded = await waitFor(() => changes[0], 5_000, 'the first reload')
  assert.deepEqual(reloaded, { key: second.key, cert: second.cert, caCert: null })

  fs.writeFileSync(certFile, 'truncated -----BEGIN CERTIFICATE-----')
  await sleep(SETTLE_MS)
  assert.equal(changes.length, 1, 'a broken certificate file is not applied')
  assert.ok(messages(WARN).some((m) => /not usable; keeping the current certificate/.test(m)))

  install(third, 'cert') // a renewal caught half-way: new certificate, old key
  await sleep(SETTLE_MS)
  assert.equal(changes.length, 1, 'a mismatched pair is not applied')

  install(third, 'key')
  const recovered = await waitFor(() => changes[1], 5_000, 'the reload once the pair matches')
  assert.equal(recovered.cert, third.cert)

  stop()
  install(fourth)
  await sleep(SETTLE_MS)
  assert.equal(changes.length, 2, 'no reloads after stop()')
})

test('the watcher follows a Let\'s Encrypt style symlink swap', TIMEOUT, async (t) => {
  const dir = makeTempDir(t)
  const archive = path.join(dir, 'archive')
  const live = path.join(dir, 'live')
  fs.mkdirSync(archive)
  fs.mkdirSync(live)
  const first = makeOpensslPair(archive, 'cert1')
  const second = makeOpensslPair(archive, 'cert2')
  const certLink = path.join(live, 'fullchain.pem')
  const keyLink = path.join(live, 'privkey.pem')
  // certbot replaces each symlink atomically: a new link under a temporary name, renamed over the old.
  const pointAt = (link: string, target: string) => {
    const temporary = `${link}.new`
    fs.symlinkSync(path.relative(live, target), temporary)
    fs.renameSync(temporary, link)
  }
  pointAt(certLink, first.certFile)
  pointAt(keyLink, first.keyFile)

  const { log } = makeCapturingLogger()
  const changes: TlsMaterial[] = []
  const stop = watchCertificateFiles(tlsConfig({ cert_file: certLink, key_file: keyLink }), log, (m) => changes.push(m), FAST_POLLING)
  t.after(stop)
  await sleep(200)

  pointAt(certLink, second.certFile)
  pointAt(keyLink, second.keyFile)
  const reloaded = await waitFor(() => changes[0], 5_000, 'the reload after the symlink swap')
  assert.equal(reloaded.cert, second.cert)
  assert.equal(reloaded.key, second.key)
  await sleep(SETTLE_MS)
  assert.equal(changes.length, 1, 'one swap, one reload')
})

test('watching is a no-op for the local CA', TIMEOUT, () => {
  const { log } = makeCapturingLogger()
  const stop = watchCertificateFiles(tlsConfig(), log, () => assert.fail('nothing to watch'))
  stop()
})
