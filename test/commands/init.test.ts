import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { hashApiKey } from '../../src/keys/key-verifier.js'
import { loadConfig } from '../../src/core/config.js'
import { createApiKeysRepository } from '../../src/db/api-keys-repository.js'
import { closeDatabase, openDatabase } from '../../src/db/open.js'
import { localCaPaths } from '../../src/tls/local-ca.js'
import { makeWorkDir, runVds } from './run-vds.js'

test('vds init writes the config, folders, database, first key and certificates', { timeout: 120_000 }, async (t) => {
  const dir = makeWorkDir(t)
  const run = await runVds(['init'], { cwd: dir })
  assert.equal(run.code, 0, run.stderr)

  const configFile = path.join(dir, 'config.yaml')
  assert.ok(existsSync(configFile))
  // The starter config is valid as written and keeps its comments.
  assert.match(readFileSync(configFile, 'utf8'), /^#/m)
  assert.doesNotThrow(() => loadConfig({ file: configFile, env: {} }))
  for (const folder of ['data', 'downloads', 'logs']) assert.ok(statSync(path.join(dir, folder)).isDirectory(), folder)
  assert.equal(statSync(path.join(dir, 'data')).mode & 0o077, 0, 'data/ is private to its owner')

  // The printed key is the one whose hash was stored.
  const key = /^\s+(vds_\S+)$/m.exec(run.stdout)?.[1]
  assert.ok(key, run.stdout)
  const db = openDatabase(path.join(dir, 'data'))
  t.after(() => closeDatabase(db))
  const [stored, ...others] = createApiKeysRepository(db).list()
  assert.equal(others.length, 0)
  assert.equal(stored?.key_hash, hashApiKey(key).toString('hex'))

  const tls = localCaPaths(path.join(dir, 'data'))
  assert.ok(existsSync(tls.caCert) && existsSync(tls.serverCert) && existsSync(tls.serverKey))
  assert.match(run.stdout, /ca\.mobileconfig/)
  assert.match(run.stdout, /docs\/ios-setup\.md/)
  assert.match(run.stdout, /npm start/)
})

test('vds init never overwrites a config and makes no second key', { timeout: 120_000 }, async (t) => {
  const dir = makeWorkDir(t)
  const configFile = path.join(dir, 'my.yaml')
  const mine = '# my settings\ntls:\n  enabled: false\nstorage:\n  min_free_disk_mb: 10\n'
  writeFileSync(configFile, mine)

  const first = await runVds(['init', '--config', configFile], { cwd: dir })
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /already exists; left unchanged/)
  assert.equal(readFileSync(configFile, 'utf8'), mine)
  assert.match(first.stdout, /TLS:\s+disabled/)
  assert.ok(!existsSync(path.join(dir, 'data', 'tls')), 'no certificates with tls.enabled: false')
  assert.match(first.stdout, /vds_\S+/)

  const second = await runVds(['init', '--config', configFile], { cwd: dir })
  assert.equal(second.code, 0, second.stderr)
  assert.doesNotMatch(second.stdout, /vds_\S+/, 'the key is printed only when it is made')
  assert.match(second.stdout, /0 in the config, 1 stored/)
  assert.equal(readFileSync(configFile, 'utf8'), mine)
})
