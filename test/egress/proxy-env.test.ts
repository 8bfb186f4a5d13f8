// A downloader's environment: the server's proxy variables never reach it (NO_PROXY=* would take
// Python's urllib around --proxy); the attempt's proxy does, for the helpers it starts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { proxyEnv } from '../../src/egress/proxy-env.js'
import { runBounded } from '../../src/process/spawn-bounded.js'

test("the server's proxy variables are dropped; the attempt's are set", async (t) => {
  const saved = { NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy }
  process.env.NO_PROXY = '*'
  process.env.http_proxy = 'http://elsewhere:3128'
  t.after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
  const lines: string[] = []
  const run = (env: Record<string, string>) => runBounded({ command: 'env', args: [], marker: 'test-proxy-env', timeoutMs: 10_000, killGraceMs: 500, env, onLine: (line) => lines.push(line) })
  await run({})
  assert.deepEqual(lines.filter((line) => /_proxy=/i.test(line)), [])
  lines.length = 0
  await run(proxyEnv('http://vds:t@127.0.0.1:1'))
  const set = lines.filter((line) => /_proxy=/i.test(line)).sort()
  assert.deepEqual(set, ['ALL_PROXY', 'HTTPS_PROXY', 'HTTP_PROXY', 'all_proxy', 'http_proxy', 'https_proxy'].map((name) => `${name}=http://vds:t@127.0.0.1:1`).sort())
})
