// Operator errors at start-up, through the real `vds serve`: each is one line on stderr naming what
// to fix (no stack trace) and a non-zero exit — 78 for the configuration and the files it names,
// 69 for a port in use, 75 for a data folder another server holds, 73 for a full disk.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import net from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { makeWorkDir, runVds, writeConfig, type VdsRun } from './run-vds.js'
import { ensureFreshBuild, freePort, startServerProcess } from '../helpers/server-process.js'

const TIMEOUT = { timeout: 120_000 }

/** A config for `serve` in `dir` (JSON is YAML), plain HTTP on loopback, with overrides per section. */
function serveConfig(dir: string, port: number, sections: Record<string, Record<string, unknown>> = {}): string {
  const base: Record<string, Record<string, unknown>> = {
    server: { host: '127.0.0.1', port },
    tls: { enabled: false },
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads'), min_free_disk_mb: 0 },
    ytdlp: { path: path.join(dir, 'no-such-yt-dlp') },
    tools: { managed: false },
    security: { api_keys: [{ name: 'ops', key: 'ops-key-0123456789abcdef' }] },
    logging: { level: 'warn', file: path.join(dir, 'logs', 'server.log') },
  }
  for (const [name, values] of Object.entries(sections)) base[name] = { ...base[name], ...values }
  return writeConfig(dir, JSON.stringify(base, null, 2))
}

function assertOneLine(run: VdsRun, code: number, pattern: RegExp, label: string): void {
  const said = `${run.stdout}${run.stderr}`
  assert.equal(run.code, code, `${label}: exit ${run.code}\n${said}`)
  const lines = run.stderr.trim().split('\n')
  assert.equal(lines.length, 1, `${label}: one line:\n${run.stderr}`)
  assert.match(lines[0]!, pattern, label)
  assert.doesNotMatch(said, /\n\s+at .+:\d+:\d+/, `${label}: no stack trace`)
}

test('allowed_domains entries that can never match stop start-up with 78, naming the key', TIMEOUT, async (t) => {
  const entries = ['https://tiktok.com', 'tiktok.com/videos', 'tiktok.com:443', '   ', 'user@tiktok.com']
  const runs = await Promise.all(
    entries.map(async (entry) => {
      const dir = makeWorkDir(t)
      const config = serveConfig(dir, await freePort(), { downloads: { allowed_domains: ['instagram.com', entry] } })
      return runVds(['serve', '--config', config], { cwd: dir })
    }),
  )
  runs.forEach((run, index) => {
    const entry = entries[index]!
    assertOneLine(run, 78, /^vds: Configuration error: config key "downloads\.allowed_domains" .*can never match/, entry)
    assert.ok(run.stderr.includes(JSON.stringify(entry)), `${entry} is quoted: ${run.stderr}`)
  })
})

test('a certificate without its key (or the reverse), an unusable API key: 78 naming the key', TIMEOUT, async (t) => {
  const cases: Array<[string, Record<string, Record<string, unknown>>, RegExp]> = [
    ['cert only', { tls: { enabled: true, cert_file: '/etc/ssl/x.pem' } }, /"tls\.key_file" is not set but "tls\.cert_file" is/],
    ['key only', { tls: { enabled: true, key_file: '/etc/ssl/x.key' } }, /"tls\.cert_file" is not set but "tls\.key_file" is/],
    ['key with a space', { security: { api_keys: ['a-key-with-a-trailing-space '] } }, /"security\.api_keys" entry 1 cannot be sent in a header/],
    ['same name twice', { security: { api_keys: [{ name: 'p', key: 'key-one-0123456789' }, { name: 'p', key: 'key-two-0123456789' }] } }, /names "p" twice/],
  ]
  const runs = await Promise.all(
    cases.map(async ([, sections]) => {
      const dir = makeWorkDir(t)
      return runVds(['serve', '--config', serveConfig(dir, await freePort(), sections)], { cwd: dir })
    }),
  )
  runs.forEach((run, index) => assertOneLine(run, 78, cases[index]![2], cases[index]![0]))
})

test('certificate files that are not a certificate and a key: one line, exit 78', TIMEOUT, async (t) => {
  const dir = makeWorkDir(t)
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  writeFileSync(certFile, 'not a certificate\n')
  writeFileSync(keyFile, 'not a key\n')
  const config = serveConfig(dir, await freePort(), { tls: { enabled: true, cert_file: certFile, key_file: keyFile } })
  assertOneLine(await runVds(['serve', '--config', config], { cwd: dir }), 78, /^vds: Configuration error: .*tls\.cert_file/, 'garbage files')
  const missing = serveConfig(dir, await freePort(), { tls: { enabled: true, cert_file: path.join(dir, 'nope.pem'), key_file: keyFile } })
  assertOneLine(await runVds(['serve', '--config', missing], { cwd: dir }), 78, /cannot read tls\.cert_file .*ENOENT/, 'missing file')
})

test('a port in use: one line naming the address, exit 69', TIMEOUT, async (t) => {
  const holder = net.createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.after(() => holder.close())
  const port = (holder.address() as net.AddressInfo).port
  const dir = makeWorkDir(t)
  const run = await runVds(['serve', '--config', serveConfig(dir, port)], { cwd: dir })
  assertOneLine(run, 69, new RegExp(`^vds: cannot listen on 127\\.0\\.0\\.1:${port} .*already in use`), 'port in use')
})

test('a data folder another running server holds: one line naming it, exit 75', TIMEOUT, async (t) => {
  ensureFreshBuild()
  const dir = makeWorkDir(t)
  const running = await startServerProcess({ dir: path.join(dir, 'first'), config: { tls: { enabled: false } } })
  t.after(() => running.stop())
  const config = serveConfig(dir, await freePort(), { storage: { data_dir: running.dataDir } })
  const run = await runVds(['serve', '--config', config], { cwd: dir })
  assertOneLine(run, 75, new RegExp(`Another Video Download Server \\(pid ${running.pid}\\) is using`), 'data folder in use')
})

test('a full disk at start: one line, exit 73', { ...TIMEOUT, skip: process.getuid?.() !== 0 && 'mounting a tmpfs needs root' }, async (t) => {
  const dir = makeWorkDir(t)
  // Its own folder, unmounted before it is removed (the work dir's cleanup runs first).
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'vds-full-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint])
  t.after(() => {
    execFileSync('umount', ['-l', mountPoint])
    rmSync(mountPoint, { recursive: true, force: true })
  })
  // Fill it to the last block.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${path.join(mountPoint, 'filler')}`, 'bs=4k'], { stdio: 'ignore' })
  } catch {
    // dd ends with "No space left on device", which is the point
  }
  const config = serveConfig(dir, await freePort(), { storage: { data_dir: path.join(mountPoint, 'data') } })
  assertOneLine(await runVds(['serve', '--config', config], { cwd: dir }), 73, /^vds: cannot use storage\.data_dir .*the disk is full/, 'full disk')
})
