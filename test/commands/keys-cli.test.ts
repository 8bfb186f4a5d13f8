// `vds keys add|list|revoke` against the data folder of a running app: the app sees new and revoked
// keys on the next request, without a restart.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { hashApiKey } from '../../src/keys/key-verifier.js'
import { keysCommand } from '../../src/commands/keys.js'
import { DATABASE_FILE } from '../../src/db/open.js'
import { ADMIN_KEY, buildTestApp } from '../helpers/test-app.js'
import { runVds } from './run-vds.js'
import { send } from '../http/security/helpers.js'

const PRINTED_KEY = /vds_[A-Za-z0-9_-]{43}/

/** Runs `vds keys ...` in-process and captures what it prints. */
async function vdsKeys(configFile: string, args: string[], values: Record<string, string | boolean> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await keysCommand(
    { configFile, positionals: args, values },
    { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
  )
  return { code, stdout, stderr }
}

/** A config file for the CLI that points at the app's data folder. */
function cliConfig(dir: string, dataDir: string, extra = ''): string {
  const file = path.join(dir, 'cli-config.yaml')
  writeFileSync(file, `storage:\n  data_dir: ${JSON.stringify(dataDir)}\nlogging:\n  file: null\n${extra}`)
  return file
}

test('keys add → list → the key works on the running app → revoke → 401, without a restart', async (t) => {
  const { app, config, dir } = await buildTestApp(t)
  const configFile = cliConfig(dir, config.storage.data_dir)
  const history = (key: string) => send(app, { method: 'GET', url: '/api/v1/history', headers: { 'x-api-key': key } })

  const added = await vdsKeys(configFile, ['add', 'iphone-anna'])
  assert.equal(added.code, 0, added.stderr)
  const key = PRINTED_KEY.exec(added.stdout)?.[0]
  assert.ok(key, added.stdout)
  assert.match(added.stdout, /scope submit/)

  const listed = await vdsKeys(configFile, ['list'])
  assert.match(listed.stdout, /^iphone-anna\s+submit\s+\d{4}-\d\d-\d\dT\S+Z\s+-$/m)
  const json = await vdsKeys(configFile, ['list'], { json: true })
  const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>
  assert.deepEqual(Object.keys(rows[0]!).sort(), ['created_at', 'name', 'revoked_at', 'scope', 'source'])
  const database = path.join(config.storage.data_dir, DATABASE_FILE)
  const onDisk = Buffer.concat([database, `${database}-wal`].filter(existsSync).map((file) => readFileSync(file)))
  assert.ok(!onDisk.includes(key), 'the key itself is not on disk')
  assert.ok(onDisk.includes(hashApiKey(key).toString('hex')), 'its SHA-256 hash is')
  assert.ok(!listed.stdout.includes(key) && !json.stdout.includes(key))
  assert.ok(!/[0-9a-f]{64}/.test(listed.stdout + json.stdout), 'the hash is never shown')

  assert.equal((await history(key)).statusCode, 200, 'the running app accepts the new key')
  const revoked = await vdsKeys(configFile, ['revoke', 'iphone-anna'])
  assert.equal(revoked.code, 0, revoked.stderr)
  // The command ran in this process without touching the event loop; the real `vds keys` is another
  // process, whose revocation reaches the server in a later turn (the verifier looks once per turn).
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal((await history(key)).statusCode, 401, 'and refuses it once revoked')
  assert.equal((await history(ADMIN_KEY)).statusCode, 200)
  assert.match((await vdsKeys(configFile, ['list'])).stdout, /^iphone-anna\s+submit\s+\S+\s+\d{4}-\d\d-\d\dT\S+Z$/m)
  assert.match((await vdsKeys(configFile, ['revoke', 'iphone-anna'])).stdout, /already revoked/)
})

test('keys add --scope admin; duplicate, invalid and config-file names are refused clearly', async (t) => {
  const { app, config, dir } = await buildTestApp(t)
  const configFile = cliConfig(dir, config.storage.data_dir, `security:\n  api_keys:\n    - { name: laptop, key: ${ADMIN_KEY}-laptop }\n`)
  const admin = await vdsKeys(configFile, ['add', 'nas-script'], { scope: 'admin' })
  assert.equal(admin.code, 0, admin.stderr)
  const metrics = await send(app, { method: 'GET', url: '/metrics', headers: { 'x-api-key': PRINTED_KEY.exec(admin.stdout)![0] } })
  assert.equal(metrics.statusCode, 200)

  const duplicate = await vdsKeys(configFile, ['add', 'nas-script'])
  assert.equal(duplicate.code, 1)
  assert.match(duplicate.stderr, /already exists.*Choose another name/)
  const fromConfig = await vdsKeys(configFile, ['add', 'laptop'])
  assert.equal(fromConfig.code, 1)
  assert.match(fromConfig.stderr, /security\.api_keys/)
  for (const [args, values] of [[['add', 'has space'], {}], [['add', 'x'.repeat(129)], {}], [['add'], {}], [['add', 'ok'], { scope: 'root' }], [['rotate'], {}]] as const) {
    const run = await vdsKeys(configFile, [...args], values)
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
    assert.ok(run.stderr.length > 0)
  }
  const missing = await vdsKeys(configFile, ['revoke', 'nobody'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /vds keys list/)
  assert.match((await vdsKeys(configFile, ['revoke', 'laptop'])).stderr, /config file/)
  assert.match((await vdsKeys(configFile, ['list'])).stdout, /^laptop\s+admin\s+\(config file\)/m)
})

test('`vds keys` is wired into the command line', { timeout: 60_000 }, async (t) => {
  const { app, config, dir } = await buildTestApp(t)
  const configFile = cliConfig(dir, config.storage.data_dir)
  const added = await runVds(['keys', 'add', 'watch', '--config', configFile], { cwd: dir })
  assert.equal(added.code, 0, added.stderr)
  const key = PRINTED_KEY.exec(added.stdout)![0]
  assert.equal((await send(app, { method: 'GET', url: '/api/v1/history', headers: { 'x-api-key': key } })).statusCode, 200)
  const duplicate = await runVds(['keys', 'add', 'watch', '--config', configFile], { cwd: dir })
  assert.equal(duplicate.code, 1)
})
