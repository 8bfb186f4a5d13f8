// @integration: installs and runs yt-dlp and gallery-dl release builds
// The managed yt-dlp against a loopback release server in GitHub's layout serving real zipapps
// built from yt-dlp's sources: first install, update, bad releases refused, pin, restart without
// downloading again, the owner's path untouched, and an offline first start that installs later.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import pino from 'pino'
import { parseConfig } from '../../src/core/config.js'
import { readVersion } from '../../src/tools/tool-installer.js'
import { createToolsManager, type ToolsManagerDeps } from '../../src/tools/tools-manager.js'
import { readToolsState, toolsDir } from '../../src/tools/tool-state.js'
import { NEW_VERSION, NEWER_VERSION, OLD_VERSION, releaseBuilds } from '../fixtures/release-builds.js'
import { waitFor } from '../jobs/helpers.js'
import { startReleaseServer, type ReleaseServer } from '../fixtures/release-server.js'

const ASSET = 'yt-dlp_linux'
const LINUX_X64 = async () => ({ platform: 'linux' as const, arch: 'x64', python: [3, 11] as [number, number] })
const builds = releaseBuilds()

async function releases(t: TestContext): Promise<ReleaseServer> {
  const server = await startReleaseServer()
  t.after(() => server.close())
  return server
}

function setUp(t: TestContext, server: ReleaseServer, tools: Record<string, unknown> = {}, ytdlp: Record<string, unknown> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-tools-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const config = parseConfig({
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads') },
    logging: { level: 'silent', file: null },
    // gallery-dl is the installed one here; its own test is below
    gallery_dl: { path: 'gallery-dl' },
    tools: { ytdlp_release_url: server.baseUrl('yt-dlp'), ...tools },
    ytdlp,
  })
  const make = (extra: Partial<ToolsManagerDeps> = {}) => {
    const manager = createToolsManager({ config, dataDir: config.storage.data_dir, log: pino({ level: 'silent' }), platform: LINUX_X64, systemCommands: { 'yt-dlp': path.join(dir, 'no-system-yt-dlp') }, ...extra })
    t.after(() => manager.stop())
    return manager
  }
  return { dir, config, make, toolsDir: toolsDir(config.storage.data_dir) }
}

test('first start installs the release in the background; the managed copy runs and reports its version', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  const { make, toolsDir } = setUp(t, server)
  const manager = make()
  assert.equal(manager.commandFor('yt-dlp').kind, 'system', 'nothing managed before the install')
  const startedMs = Date.now()
  manager.start() // returns at once: start-up never waits on the network
  assert.ok(Date.now() - startedMs < 50)
  const installed = await waitFor('the install', () => manager.commandFor('yt-dlp').kind === 'managed' && manager.commandFor('yt-dlp'), 60_000)
  assert.equal(installed.version, OLD_VERSION)
  assert.ok(installed.command.startsWith(toolsDir))
  assert.equal(await readVersion(installed.command, 60_000), OLD_VERSION, 'the installed file runs')
  assert.equal(statSync(installed.command).mode & 0o777, 0o755)
  const state = readToolsState(toolsDir)
  assert.equal(state['yt-dlp'].current?.tag, OLD_VERSION)
  assert.equal(state['yt-dlp'].current?.sha256, builds.ytdlpOld.sha256)
  const status = await manager.status('yt-dlp')
  assert.equal(status.managed, true)
  assert.equal(status.kind, 'managed')
  assert.equal(status.last_check_ok, true)
  assert.ok(status.last_check_at)
  assert.equal(server.downloads(ASSET), 1)
})

test('an update swaps in the new release and keeps the previous one; a current release is not downloaded again', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  const { make, toolsDir } = setUp(t, server)
  const updates: string[] = []
  const manager = make({ onUpdated: (_name, outcome) => void updates.push(outcome.version ?? '') })
  await manager.checkNow()
  const old = manager.commandFor('yt-dlp').command
  await manager.checkNow()
  assert.equal(server.downloads(ASSET), 1, 'same SHA-256 published: nothing downloaded')
  server.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  const [result] = await manager.checkNow()
  assert.equal(result?.updated, true)
  assert.equal(result?.version, NEW_VERSION)
  assert.equal(manager.commandFor('yt-dlp').version, NEW_VERSION)
  assert.ok(existsSync(old), 'the previous release stays to fall back to')
  const state = readToolsState(toolsDir)
  assert.equal(state['yt-dlp'].previous?.version, OLD_VERSION)
  assert.deepEqual(updates, [OLD_VERSION, NEW_VERSION])
  rmSync(path.join(toolsDir, state['yt-dlp'].current!.file))
  assert.equal(manager.commandFor('yt-dlp').version, OLD_VERSION, 'a vanished current copy falls back to the previous one')
})

test('bad releases never replace a working downloader: wrong hash, corrupted file, --version fails; health is told', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  const { make } = setUp(t, server)
  const manager = make()
  await manager.checkNow()
  const working = manager.commandFor('yt-dlp')

  const corrupted = Buffer.from(builds.ytdlpNew.bytes)
  const middle = corrupted.length >> 1
  corrupted[middle] = corrupted[middle]! ^ 0xff
  const bad = [
    { tag: '2026.11.03', files: { [ASSET]: corrupted }, checksums: { [ASSET]: builds.ytdlpNew.sha256 }, why: /does not match its published SHA-256/ },
    { tag: '2026.11.04', files: { [ASSET]: builds.ytdlpNew.bytes }, checksums: { [ASSET]: 'ab'.repeat(32) }, why: /does not match its published SHA-256/ },
    { tag: '2026.11.05', files: { [ASSET]: builds.ytdlpBroken.bytes }, checksums: undefined, why: /does not run/ },
  ]
  for (const [index, release] of bad.entries()) {
    server.publish('yt-dlp', release.tag, release.files, release.checksums ? { checksums: release.checksums } : {})
    const [result] = await manager.checkNow()
    assert.equal(result?.updated, false, release.tag)
    assert.equal(result?.ok, false, release.tag)
    assert.match(result?.message ?? '', release.why)
    assert.match(result?.message ?? '', new RegExp(`kept yt-dlp ${OLD_VERSION}`))
    assert.deepEqual(manager.commandFor('yt-dlp'), working, 'the working downloader stays')
    const status = await manager.status('yt-dlp')
    assert.equal(status.last_check_ok, false)
    assert.equal(status.failed_checks, index + 1)
  }
  assert.equal(await readVersion(working.command, 60_000), OLD_VERSION)
  assert.deepEqual(readdirNames(path.dirname(working.command)).filter((name) => name.startsWith('.download-')), [], 'no temp file left')
  server.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  const [fixed] = await manager.checkNow()
  assert.equal(fixed?.updated, true)
  assert.equal((await manager.status('yt-dlp')).failed_checks, 0)
})

test('tools.ytdlp_version pins a tag: that release is installed while a newer one is latest', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  server.publish('yt-dlp', NEWER_VERSION, { [ASSET]: builds.ytdlpNewer.bytes })
  const { make } = setUp(t, server, { ytdlp_version: OLD_VERSION })
  const manager = make()
  await manager.checkNow()
  assert.equal(manager.commandFor('yt-dlp').version, OLD_VERSION)
  assert.ok(server.requests.includes(`/yt-dlp/releases/download/${OLD_VERSION}/${ASSET}`))
  assert.ok(!server.requests.some((p) => p.includes('/latest/')), 'the latest release is not asked for')
  assert.equal((await manager.status('yt-dlp')).pinned, OLD_VERSION)
})

test('a restart uses the installed copy without downloading again', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  server.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  const { make } = setUp(t, server)
  const first = make()
  await first.checkNow()
  await first.stop()
  const requests = server.requests.length
  const second = make()
  second.start()
  assert.equal(second.commandFor('yt-dlp').version, NEW_VERSION)
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(server.requests.length, requests, 'no request at all within the check interval')
  assert.equal(server.downloads(ASSET), 1)
})

test("any other ytdlp.path is the owner's: run as it is, never checked or replaced", async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  const { make, toolsDir } = setUp(t, server, {}, { path: builds.ytdlpOld.file })
  const manager = make()
  manager.start()
  const [result] = await manager.checkNow()
  assert.equal(result?.updated, false)
  assert.match(result?.message ?? '', /your own yt-dlp/)
  assert.deepEqual(manager.commandFor('yt-dlp'), { command: builds.ytdlpOld.file, kind: 'owner', version: null })
  assert.equal(server.requests.length, 0, 'the release server is never asked')
  assert.ok(!existsSync(path.join(toolsDir, 'state.json')) || readToolsState(toolsDir)['yt-dlp'].current === null)
  const status = await manager.status('yt-dlp')
  assert.equal(status.managed, false)
  assert.equal(status.version, OLD_VERSION)
  assert.equal(readFileSync(builds.ytdlpOld.file).equals(builds.ytdlpOld.bytes), true, 'the file is untouched')
})

test('offline first start: the system downloader (or none) until the network is back, then the install', async (t) => {
  const server = await releases(t)
  server.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  await server.setOffline(true)
  const { make } = setUp(t, server)
  const manager = make({ retryMs: 300 })
  manager.start()
  await waitFor('the failed first check', async () => (await manager.status('yt-dlp')).last_check_ok === false)
  const status = await manager.status('yt-dlp')
  assert.equal(status.kind, 'system')
  assert.equal(status.available, false, 'no system yt-dlp in this test')
  assert.match(status.last_check_message ?? '', /cannot reach/)
  await server.setOffline(false)
  await waitFor('the install once online', () => manager.commandFor('yt-dlp').kind === 'managed')
  assert.equal(manager.commandFor('yt-dlp').version, NEW_VERSION)
  assert.equal((await manager.status('yt-dlp')).last_check_ok, true)
})

test('gallery-dl is managed where a release binary exists for the platform, else the installed one', async (t) => {
  const server = await releases(t)
  server.publish('gallery-dl', 'v1.32.19', { 'gallery-dl.bin': builds.galleryDl.bytes }, { checksums: false })
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-tools-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const config = parseConfig({
    storage: { data_dir: path.join(dir, 'data') },
    logging: { level: 'silent', file: null },
    ytdlp: { path: 'yt-dlp' },
    tools: { gallery_dl_release_url: server.baseUrl('gallery-dl') },
  })
  const onLinux = createToolsManager({ config, dataDir: config.storage.data_dir, log: pino({ level: 'silent' }), platform: LINUX_X64 })
  t.after(() => onLinux.stop())
  const results = await onLinux.checkNow()
  assert.equal(results.find((r) => r.name === 'gallery-dl')?.updated, true)
  assert.equal(onLinux.commandFor('gallery-dl').kind, 'managed')
  assert.equal(onLinux.commandFor('gallery-dl').version, '1.32.19')
  await onLinux.checkNow()
  assert.equal((await onLinux.status('gallery-dl')).last_check_ok, true, 'no checksums published: compared by content')

  const onArm = createToolsManager({ config, dataDir: path.join(dir, 'arm'), log: pino({ level: 'silent' }), platform: async () => ({ platform: 'linux', arch: 'arm64', python: [3, 11] }) })
  t.after(() => onArm.stop())
  const arm = await onArm.checkNow()
  assert.match(arm.find((r) => r.name === 'gallery-dl')?.message ?? '', /publishes no build for this platform/)
  assert.equal(onArm.commandFor('gallery-dl').kind, 'system')
})

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : []
}
