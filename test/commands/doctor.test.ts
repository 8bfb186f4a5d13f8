import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { checkCertificate } from '../../src/commands/doctor-certificate.js'
import type { CheckResult } from '../../src/commands/doctor-check.js'
import { checkDatabaseAndKeys } from '../../src/commands/doctor-storage.js'
import { checkYtDlp } from '../../src/commands/doctor-tools.js'
import { parseConfig } from '../../src/core/config.js'
import { DATABASE_FILE } from '../../src/db/open.js'
import { makeWorkDir, runVds, writeConfig } from './run-vds.js'

const DAY_MS = 24 * 60 * 60 * 1000
const CHECK_NAMES = ['config', 'ytdlp', 'gallery_dl', 'impersonation', 'ffmpeg', 'disk', 'database', 'api_keys', 'certificate', 'port']
const installedYtDlp = execFileSync('yt-dlp', ['--version'], { encoding: 'utf8' }).trim()

describe('vds doctor on a setup made by vds init', { timeout: 120_000 }, () => {
  let dir = ''
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vds-cli-doctor-'))
    const init = await runVds(['init'], { cwd: dir })
    assert.equal(init.code, 0, init.stderr)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('passes (exit 0) and reports the yt-dlp version', async () => {
    const run = await runVds(['doctor'], { cwd: dir })
    assert.equal(run.code, 0, run.stdout + run.stderr)
    assert.match(run.stdout, new RegExp(`yt-dlp ${installedYtDlp.replaceAll('.', '\\.')}`))
    for (const name of CHECK_NAMES) assert.match(run.stdout, new RegExp(`^(ok|warn) +${name} `, 'm'), name)
    assert.match(run.stdout, /database .*integrity_check \(schema version \d+\)/)
    assert.match(run.stdout, /certificate .*days left\) for .*127\.0\.0\.1/)
  })

  test('--json prints one {name, status, message} per check', async () => {
    const run = await runVds(['doctor', '--json'], { cwd: dir })
    assert.equal(run.code, 0, run.stderr)
    const results = JSON.parse(run.stdout) as CheckResult[]
    assert.deepEqual(results.map((r) => r.name), CHECK_NAMES)
    for (const result of results) {
      assert.ok(['ok', 'warn', 'fail'].includes(result.status), JSON.stringify(result))
      assert.equal(typeof result.message, 'string')
    }
  })

  test('the certificate check warns in its last 30 days and fails once it expired', () => {
    const tls = parseConfig({}).tls
    const dataDir = path.join(dir, 'data')
    const now = checkCertificate(tls, dataDir)
    assert.equal(now.status, 'ok', now.message)
    const daysLeft = Number(/\((\d+) days left\)/.exec(now.message)?.[1])
    const soon = checkCertificate(tls, dataDir, new Date(Date.now() + (daysLeft - 10) * DAY_MS))
    assert.equal(soon.status, 'warn', soon.message)
    const expired = checkCertificate(tls, dataDir, new Date(Date.now() + (daysLeft + 2) * DAY_MS))
    assert.equal(expired.status, 'fail', expired.message)
    assert.match(expired.message, /expired/)
  })
})

test('a missing yt-dlp fails the doctor with exit code 1', { timeout: 60_000 }, async (t) => {
  const dir = makeWorkDir(t)
  writeConfig(dir, 'ytdlp:\n  path: /nonexistent\ntls:\n  enabled: false\n')
  const run = await runVds(['doctor', '--json'], { cwd: dir })
  assert.equal(run.code, 1, run.stdout + run.stderr)
  const ytdlp = (JSON.parse(run.stdout) as CheckResult[]).find((r) => r.name === 'ytdlp')
  assert.equal(ytdlp?.status, 'fail')
  assert.match(ytdlp?.message ?? '', /\/nonexistent.*ytdlp\.path/)
})

test('yt-dlp is reported old 90 days after its release date', async () => {
  const released = Date.parse(installedYtDlp.slice(0, 10).replaceAll('.', '-'))
  assert.equal((await checkYtDlp('yt-dlp', new Date(released + 10 * DAY_MS))).status, 'ok')
  assert.equal((await checkYtDlp('yt-dlp', new Date(released + 91 * DAY_MS))).status, 'warn')
  const old = await checkYtDlp('yt-dlp', new Date(released + 400 * DAY_MS))
  assert.equal(old.status, 'warn')
  assert.match(old.message, /400 days ago/)
})

test('a damaged database file fails the database check', (t) => {
  const dir = makeWorkDir(t)
  mkdirSync(path.join(dir, 'data'))
  writeFileSync(path.join(dir, 'data', DATABASE_FILE), 'this is not an SQLite database'.repeat(200))
  const [database] = checkDatabaseAndKeys(parseConfig({}), path.join(dir, 'data'))
  assert.equal(database?.status, 'fail')
  assert.match(database?.message ?? '', /restore it from a backup/)
})
