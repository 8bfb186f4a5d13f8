// `vds pair NAME` prints a pairing link and its QR code; the running app accepts the code.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { pairCommand } from '../../src/commands/pair.js'
import { buildTestApp } from '../helpers/test-app.js'

test('vds pair prints a link and a terminal QR code that the running server accepts', async (t) => {
  const { app, config, dir } = await buildTestApp(t)
  const configFile = path.join(dir, 'cli.yaml')
  writeFileSync(configFile, JSON.stringify({ storage: { data_dir: config.storage.data_dir }, logging: { file: null }, server: { public_url: 'https://pi.example:8443' } }))
  let stdout = ''
  let stderr = ''
  const io = { out: (s: string) => void (stdout += s), err: (s: string) => void (stderr += s) }
  assert.equal(await pairCommand({ configFile, positionals: ['iphone-ben'], values: {} }, io), 0, stderr)
  const link = /https:\/\/pi\.example:8443\/pair\/([A-Za-z0-9_-]{32})/.exec(stdout)
  assert.ok(link, stdout)
  assert.ok(stdout.split('\n').filter((line) => /[▀▄█]/.test(line)).length >= 10, 'a QR code drawn with block characters')
  const claim = await app.inject({ method: 'POST', url: `/api/v1/pairings/${link[1]}/claim` })
  assert.equal(claim.statusCode, 201, claim.body)
  assert.equal(claim.json().name, 'iphone-ben')

  assert.equal(await pairCommand({ configFile, positionals: ['iphone-ben'], values: {} }, io), 1, 'the name is taken now')
  assert.equal(await pairCommand({ configFile, positionals: [], values: {} }, io), 2)
})
