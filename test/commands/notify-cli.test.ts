// `vds notify test` sends one test message to every target from the config and the database, and
// reports each answer; a refusing target makes the exit code 1.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { notifyCommand } from '../../src/commands/notify.js'
import { tempDir } from '../helpers/test-app.js'
import { startReceiver } from '../notify/receivers.js'

async function run(configFile: string, args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await notifyCommand({ configFile, positionals: args, values: {} }, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) })
  return { code, stdout, stderr }
}

test('vds notify test reaches every webhook and ntfy; a refusal is reported and fails the command', async (t) => {
  const dir = tempDir(t)
  const hook = await startReceiver()
  const ntfy = await startReceiver()
  t.after(() => Promise.all([hook.close(), ntfy.close()]))
  const configFile = path.join(dir, 'config.yaml')
  const config = {
    storage: { data_dir: path.join(dir, 'data') },
    logging: { file: null },
    notifications: { webhooks: [{ url: `${hook.url}/h?token=secret-in-query` }], ntfy: { url: `${ntfy.url}/topic`, token: null } },
  }
  writeFileSync(configFile, JSON.stringify(config))

  const ok = await run(configFile, ['test'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /ok {6}webhook http:\/\/127\.0\.0\.1:\d+ answered 200/)
  assert.match(ok.stdout, /2 of 2 targets accepted/)
  assert.doesNotMatch(ok.stdout, /secret-in-query/)
  const [request] = hook.requests
  assert.equal(request!.headers['x-vds-event'], 'test')
  const secret = readFileSync(path.join(dir, 'data', 'webhook-secret'), 'utf8').trim()
  assert.equal(request!.headers['x-vds-signature'], `sha256=${createHmac('sha256', secret).update(request!.body).digest('hex')}`)
  assert.deepEqual(Object.keys(JSON.parse(request!.body.toString())), ['event', 'download', 'sent_at'])
  assert.equal(ntfy.requests[0]!.headers.title, 'Test from Video Download Server')
  assert.equal(ntfy.requests[0]!.headers.tags, 'bell,test')

  ntfy.respond = () => 403
  const refused = await run(configFile, ['test'])
  assert.equal(refused.code, 1)
  assert.match(refused.stdout, /FAILED {2}ntfy http:\/\/127\.0\.0\.1:\d+: HTTP 403/)
  assert.match(refused.stdout, /1 of 2 targets accepted/)

  assert.equal((await run(configFile, ['frobnicate'])).code, 2)
})

test('vds notify test with no targets says what to configure', async (t) => {
  const dir = tempDir(t)
  const configFile = path.join(dir, 'config.yaml')
  writeFileSync(configFile, JSON.stringify({ storage: { data_dir: path.join(dir, 'data') }, logging: { file: null } }))
  const result = await run(configFile, ['test'])
  assert.equal(result.code, 1)
  assert.match(result.stderr, /No notification targets/)
})
