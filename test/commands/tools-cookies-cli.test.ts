// `vds cookies import|list|remove` and `vds tools status|update` (no server running: the update
// is done by the command itself, against the loopback release server), and the doctor's
// impersonation check on the real yt-dlp builds: too old, without curl_cffi, and with it.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { cookiesCommand } from '../../src/commands/cookies.js'
import { checkImpersonation } from '../../src/commands/doctor-tools.js'
import { toolsCommand } from '../../src/commands/tools.js'
import { downloaderBuilds } from '../helpers/downloaders.js'
import { NEW_VERSION, releaseBuilds } from '../fixtures/release-builds.js'
import { startReleaseServer } from '../fixtures/release-server.js'

function workDir(t: TestContext, config: object) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-cli-tools-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'config.yaml')
  writeFileSync(file, JSON.stringify({ storage: { data_dir: path.join(dir, 'data') }, logging: { level: 'silent', file: null }, ...config }))
  const output = { out: '', err: '' }
  const io = { out: (text: string) => void (output.out += text), err: (text: string) => void (output.err += text), env: {} }
  const run = (command: typeof cookiesCommand, ...positionals: string[]) => {
    output.out = ''
    output.err = ''
    const json = positionals.includes('--json')
    return command({ configFile: file, positionals: positionals.filter((p) => p !== '--json'), values: { json } }, io)
  }
  return { dir, output, run }
}

test('vds cookies import, list and remove: validated, stored 0600, values never printed', async (t) => {
  const { dir, output, run } = workDir(t, {})
  const cookies = path.join(dir, 'cookies.txt')
  const expires = Math.floor(Date.now() / 1000) + 30 * 86_400
  writeFileSync(cookies, `# Netscape HTTP Cookie File\n.instagram.com\tTRUE\t/\tTRUE\t${expires}\tsessionid\tVERY-SECRET\n`)
  assert.equal(await run(cookiesCommand, 'import', 'instagram.com', cookies), 0, output.err)
  assert.match(output.out, /stored 1 cookie\(s\) for instagram\.com; first expires/)
  assert.equal(statSync(path.join(dir, 'data', 'cookies', 'instagram.com.txt')).mode & 0o777, 0o600)
  assert.equal(await run(cookiesCommand, 'list', '--json'), 0)
  assert.deepEqual(JSON.parse(output.out).sites.map((s: { site: string }) => s.site), ['instagram.com'])
  assert.doesNotMatch(output.out, /VERY-SECRET/)
  writeFileSync(cookies, 'not a cookies file\n')
  assert.equal(await run(cookiesCommand, 'import', 'instagram.com', cookies), 1)
  assert.match(output.err, /line 1 has 1 field/)
  assert.equal(await run(cookiesCommand, 'remove', 'www.instagram.com'), 0)
  assert.equal(await run(cookiesCommand, 'remove', 'instagram.com'), 1)
  assert.equal(await run(cookiesCommand, 'list'), 0)
  assert.match(output.out, /no cookies stored/)
  assert.equal(await run(cookiesCommand, 'bogus'), 2)
})

test('vds tools update installs the release itself when no server runs; vds tools status shows it', async (t) => {
  const releases = await startReleaseServer()
  t.after(() => releases.close())
  releases.publish('yt-dlp', NEW_VERSION, { [process.platform === 'linux' && process.arch === 'arm64' ? 'yt-dlp_linux_aarch64' : 'yt-dlp_linux']: releaseBuilds().ytdlpNew.bytes })
  const { output, run } = workDir(t, { tools: { ytdlp_release_url: releases.baseUrl('yt-dlp') }, gallery_dl: { path: 'gallery-dl' } })
  assert.equal(await run(toolsCommand, 'update'), 0, output.out + output.err)
  assert.match(output.out, new RegExp(`yt-dlp: updated — installed yt-dlp ${NEW_VERSION}`))
  assert.equal(await run(toolsCommand, 'status', '--json'), 0)
  const [ytdlp] = JSON.parse(output.out).tools
  assert.equal(ytdlp.kind, 'managed')
  assert.equal(ytdlp.version, NEW_VERSION)
  assert.equal(await run(toolsCommand, 'status'), 0)
  assert.match(output.out, new RegExp(`yt-dlp: ${NEW_VERSION}, \\d+ days old — managed \\(release ${NEW_VERSION}\\)`))
  assert.match(output.out, /gallery-dl: .*your own/)
  assert.doesNotMatch(output.out, /\/tmp\//, 'no paths')
})

test('the doctor tells whether yt-dlp can impersonate browsers', { timeout: 120_000 }, async () => {
  const [system, current] = downloaderBuilds()
  const old = await checkImpersonation(system!.ytdlp)
  assert.equal(old.status, 'warn')
  assert.match(old.message, /too old/)
  if (current) {
    const noCurlCffi = await checkImpersonation(current.ytdlp) // the Debian package's sources, without curl_cffi
    assert.equal(noCurlCffi.status, 'warn')
    assert.match(noCurlCffi.message, /curl_cffi is not installed/)
  }
})

test('the doctor says yes when yt-dlp has curl_cffi, from the targets the real yt-dlp lists', { timeout: 120_000, skip: !downloaderBuilds()[1] && 'needs the current yt-dlp (scripts/current-downloaders.sh)' }, async (t) => {
  // The current yt-dlp's own sources, with a stand-in curl_cffi of a version it supports on its
  // PYTHONPATH: yt-dlp then lists its curl_cffi targets as available, as the standalone builds do.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-curl-cffi-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const stub = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
  stub('curl_cffi/__init__.py', "__version__ = '0.13.0'\n")
  stub('curl_cffi/requests/__init__.py', 'from . import errors\nclass Session: pass\nclass Response: pass\n')
  stub('curl_cffi/requests/errors.py', 'class RequestsError(Exception): pass\n')
  stub('curl_cffi/const.py', 'class CurlECode: pass\nclass CurlOpt: pass\n')
  const ytdlp = path.join(dir, 'yt-dlp')
  writeFileSync(ytdlp, `#!/bin/sh\nPYTHONPATH="${dir}:${downloaderBuilds()[1]!.ytdlpPackages}" exec python3 -m yt_dlp "$@"\n`, { mode: 0o755 })
  const withCurlCffi = await checkImpersonation(ytdlp)
  assert.equal(withCurlCffi.status, 'ok', withCurlCffi.message)
  assert.match(withCurlCffi.message, /^yt-dlp can impersonate browsers \(curl_cffi: \d+ targets\)$/)
  assert.ok(Number(/(\d+) targets/.exec(withCurlCffi.message)![1]) >= 5, withCurlCffi.message)
})
