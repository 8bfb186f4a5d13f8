import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { ADMIN_KEY, buildTestApp } from '../helpers/test-app.js'
import { ensureFreshBuild, startServerProcess } from '../helpers/server-process.js'
import { makeWorkDir, runVds } from './run-vds.js'

const TIKTOK = 'https://www.tiktok.com/@someone/video/7300000000000000001'
const SUBMITTED = /^([0-9a-f-]{36}) pending\n$/

/** The real app on a loopback port over plain HTTP; returns its base URL. */
async function listeningApp(t: Parameters<typeof buildTestApp>[0]) {
  const built = await buildTestApp(t)
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = built.app.server.address() as AddressInfo
  return { ...built, url: `http://127.0.0.1:${port}` }
}

test('vds submit queues the link and prints its id and status', { timeout: 60_000 }, async (t) => {
  const { url, downloads } = await listeningApp(t)
  const run = await runVds(['submit', TIKTOK, '--server', url, '--key', ADMIN_KEY, '--client-id', 'cli-test'], { cwd: makeWorkDir(t) })
  assert.equal(run.code, 0, run.stderr)
  const id = SUBMITTED.exec(run.stdout)?.[1]
  assert.ok(id, run.stdout)
  assert.equal(downloads.findById(id)?.client_id, 'cli-test')
})

test('vds submit exits 1 with the error code when the server refuses the link', { timeout: 60_000 }, async (t) => {
  const { url } = await listeningApp(t)
  const run = await runVds(['submit', 'https://example.com/video/1', '--server', url], {
    cwd: makeWorkDir(t),
    env: { VDS_API_KEY: ADMIN_KEY },
  })
  assert.equal(run.code, 1)
  assert.match(run.stderr, /422 unsupported_site: /)
  assert.equal(run.stdout, '')
})

test('vds submit without a key explains how to pass one', { timeout: 60_000 }, async (t) => {
  const { url } = await listeningApp(t)
  const run = await runVds(['submit', TIKTOK, '--server', url], { cwd: makeWorkDir(t) })
  assert.equal(run.code, 1)
  assert.match(run.stderr, /401 \w+/)
  assert.match(run.stderr, /--key KEY or the VDS_API_KEY/)
})

test('vds submit says when no server is listening', { timeout: 60_000 }, async (t) => {
  const { app, url } = await listeningApp(t)
  await app.close()
  const run = await runVds(['submit', TIKTOK, '--server', url, '--key', ADMIN_KEY], { cwd: makeWorkDir(t) })
  assert.equal(run.code, 1)
  assert.match(run.stderr, /Is the server running\?/)
})

test('vds submit trusts the local CA of its own config over HTTPS; other clients need --insecure', { timeout: 180_000 }, async (t) => {
  ensureFreshBuild()
  const dir = makeWorkDir(t)
  const server = await startServerProcess({ dir })
  t.after(() => server.stop())

  // Same machine, same config: the default server and the local CA, no flags.
  const local = await runVds(['submit', TIKTOK, '--config', server.configFile, '--key', server.apiKey], { cwd: dir })
  assert.equal(local.code, 0, local.stderr)
  assert.match(local.stdout, SUBMITTED)

  // A config without the CA does not trust the certificate, unless told to.
  const stranger = makeWorkDir(t)
  const untrusted = await runVds(['submit', TIKTOK, '--server', server.url, '--key', server.apiKey], { cwd: stranger })
  assert.equal(untrusted.code, 1)
  assert.match(untrusted.stderr, /--insecure/)
  const insecure = await runVds(['submit', TIKTOK, '--server', server.url, '--key', server.apiKey, '--insecure'], { cwd: stranger })
  assert.equal(insecure.code, 0, insecure.stderr)
  assert.match(insecure.stdout, / pending \(duplicate of an earlier submission\)\n$/)
})
