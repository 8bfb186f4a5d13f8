// @integration: runs a fake `shortcuts` command (a shell script) as `shortcuts sign` would run
// Signed Shortcuts on the pairing page, over real HTTPS: with the platform forced to darwin and a
// fake `shortcuts` on the search path, the page links both files and serves exactly what the fake
// wrote; on Linux, or when signing fails or hangs, the page shows the step lists.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { parse } from 'plist'
import { SHORTCUT_FILES, unsignedShortcut } from '../../src/pairing/shortcut-files/shortcut-catalog.js'
import { issueCertificates } from '../../src/tls/certificate-issuer.js'
import { tlsServerOptions } from '../../src/tls/server-options.js'
import { isProcessAlive } from '../../src/process/process-tree.js'
import { auth, buildTestApp, tempDir } from '../helpers/test-app.js'
import { waitFor } from '../helpers/wait-for.js'

const PUBLIC_URL = 'https://vds.example:8443'
const ca = issueCertificates({ ca: null, hostname: 'test-mac', names: { dns: ['localhost'], ips: ['127.0.0.1'] }, nowMs: Date.now() })

type FakeMode = 'sign' | 'fail' | 'hang'

/** A `shortcuts` script: logs its argv, keeps a copy of its input, and signs, fails or hangs. */
function fakeShortcuts(t: TestContext, mode: FakeMode) {
  const dir = tempDir(t)
  const bin = path.join(dir, 'bin')
  const seen = path.join(dir, 'seen')
  mkdirSync(bin)
  mkdirSync(seen)
  const argvLog = path.join(dir, 'argv.log')
  const pidFile = path.join(dir, 'pid')
  const behaviour = {
    sign: `{ printf 'AEA1 fake signature\\n'; cat "$input"; } > "$output"; cp "$output" "${seen}/signed-$(basename "$output")"`,
    fail: `echo "Error: The operation couldn't be completed." >&2; exit 3`,
    hang: `echo $$ > "${pidFile}"; exec sleep 60`,
  }[mode]
  writeFileSync(
    path.join(bin, 'shortcuts'),
    `#!/bin/sh
echo "$*" >> "${argvLog}"
while [ $# -gt 0 ]; do
  case "$1" in --input) input="$2"; shift 2 ;; --output) output="$2"; shift 2 ;; *) shift ;; esac
done
cp "$input" "${seen}/input-$(basename "$input")"
${behaviour}
`,
    { mode: 0o755 },
  )
  const calls = () => (existsSync(argvLog) ? readFileSync(argvLog, 'utf8').trim().split('\n') : [])
  const pid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined)
  return { bin, seen, calls, pid }
}

async function httpsApp(t: TestContext, shortcuts: { platform: NodeJS.Platform; searchPath: string; timeoutMs?: number }) {
  const { ca: authority, server } = await ca
  const tempRoot = tempDir(t)
  const built = await buildTestApp(t, {
    config: { server: { public_url: PUBLIC_URL } },
    https: tlsServerOptions({ key: server.key, cert: `${server.cert}${authority.cert}` }),
    caCert: authority.cert,
    shortcuts: { ...shortcuts, tempRoot },
  })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = built.app.server.address() as { port: number }
  /** A request over real TLS that trusts only the test CA. */
  const get = (url: string, method = 'GET') =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: url, method, ca: authority.cert, timeout: 20_000 }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
      })
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', reject)
      req.end()
    })
  const made = await built.app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-mac' } })
  const code = (made.json() as { code: string }).code
  return { ...built, get, code, tempRoot }
}

const fileLinks = (page: string) => [...page.matchAll(/<a class="shortcut-file" href="([^"]+)"/g)].map((match) => match[1]!)
const STEP_LIST = /Add &quot;Get Contents of URL&quot;/

test('darwin with `shortcuts`: the page links both signed files; their bytes are what `shortcuts sign --mode anyone` wrote', { timeout: 60_000 }, async (t) => {
  const fake = fakeShortcuts(t, 'sign')
  const { get, code, tempRoot, app, db } = await httpsApp(t, { platform: 'darwin', searchPath: fake.bin })

  const page = await get(`/pair/${code}`)
  assert.equal(page.status, 200)
  const html = page.body.toString()
  assert.deepEqual(fileLinks(html), [`/pair/${code}/shortcuts/download-video.shortcut`, `/pair/${code}/shortcuts/save-to-photos.shortcut`])
  assert.match(html, /Add the Shortcuts/)
  assert.match(html, /<details class="card"><summary>Or build the Shortcuts by hand/, 'the steps stay, folded away')

  const calls = fake.calls()
  assert.equal(calls.length, 2, 'one signing per Shortcut')
  for (const [i, call] of calls.entries()) {
    const slug = SHORTCUT_FILES[i]!.slug
    const match = /^sign --mode anyone --input (\S+) --output (\S+)$/.exec(call)
    assert.ok(match, call)
    assert.equal(path.basename(match[1]!), `${slug}.unsigned.shortcut`)
    assert.equal(path.dirname(match[1]!), path.dirname(match[2]!), 'input and output in one private folder')
    assert.ok(match[1]!.startsWith(tempRoot))
    // What the fake was given is the generator's plist for the public URL.
    const input = readFileSync(path.join(fake.seen, `input-${slug}.unsigned.shortcut`), 'utf8')
    assert.equal(input, unsignedShortcut(SHORTCUT_FILES[i]!, PUBLIC_URL))
    assert.ok((parse(input) as { WFWorkflowActions: unknown[] }).WFWorkflowActions.length > 5)
  }
  assert.deepEqual(readdirSync(tempRoot), [], 'temporary files removed')

  // The key is claimed first; the files still come for a while after it.
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/pairings/${code}/claim` })).statusCode, 201)
  for (const [i, href] of fileLinks(html).entries()) {
    const file = await get(href)
    assert.equal(file.status, 200, href)
    assert.equal(file.headers['content-type'], 'application/octet-stream')
    assert.equal(file.headers['content-disposition'], `attachment; filename="${SHORTCUT_FILES[i]!.name}.shortcut"`)
    assert.equal(file.headers['cache-control'], 'no-store')
    assert.deepEqual(file.body, readFileSync(path.join(fake.seen, `signed-${SHORTCUT_FILES[i]!.slug}.shortcut`)), 'the bytes the fake wrote')
  }
  assert.equal(fake.calls().length, 2, 'signed once, then served from memory')

  assert.equal((await get(`/pair/${code}/shortcuts/other.shortcut`)).status, 404)
  assert.equal((await get(`/pair/${'B'.repeat(32)}/shortcuts/download-video.shortcut`)).status, 404, 'unknown code')
  db.prepare('UPDATE pairings SET claimed_at = ?').run(new Date(Date.now() - 16 * 60_000).toISOString())
  const late = await get(`/pair/${code}/shortcuts/download-video.shortcut`)
  assert.equal(late.status, 410, '15 minutes after the claim the link is over')
  assert.equal(JSON.parse(late.body.toString()).error.code, 'pairing_expired')
})

test('linux: the page shows the step lists and no file links; `shortcuts` is never run', { timeout: 60_000 }, async (t) => {
  const fake = fakeShortcuts(t, 'sign')
  const { get, code } = await httpsApp(t, { platform: 'linux', searchPath: fake.bin })
  const html = (await get(`/pair/${code}`)).body.toString()
  assert.match(html, STEP_LIST)
  assert.match(html, /Shortcut “Save to Photos”/)
  assert.deepEqual(fileLinks(html), [])
  assert.doesNotMatch(html, /\/shortcuts\/|<details/)
  assert.deepEqual(fake.calls(), [])
  const file = await get(`/pair/${code}/shortcuts/download-video.shortcut`)
  assert.equal(file.status, 404)
  assert.match(JSON.parse(file.body.toString()).error.message, /macOS/)
})

test('darwin without `shortcuts` on the path: the step lists', async (t) => {
  const { get, code } = await httpsApp(t, { platform: 'darwin', searchPath: tempDir(t) })
  const html = (await get(`/pair/${code}`)).body.toString()
  assert.match(html, STEP_LIST)
  assert.deepEqual(fileLinks(html), [])
})

test('a failing `shortcuts sign` falls back to the step lists, and is not retried at every page', { timeout: 60_000 }, async (t) => {
  const fake = fakeShortcuts(t, 'fail')
  const { get, code, tempRoot } = await httpsApp(t, { platform: 'darwin', searchPath: fake.bin })
  for (let i = 0; i < 2; i++) {
    const html = (await get(`/pair/${code}`)).body.toString()
    assert.match(html, STEP_LIST)
    assert.deepEqual(fileLinks(html), [])
  }
  assert.equal(fake.calls().length, 1, 'the first file failed; nothing more was tried')
  assert.deepEqual(readdirSync(tempRoot), [])
})

test('a hanging `shortcuts sign` is stopped at the timeout; the page shows the step lists within it', { timeout: 60_000 }, async (t) => {
  const fake = fakeShortcuts(t, 'hang')
  const timeoutMs = 1_500
  const { get, code, tempRoot } = await httpsApp(t, { platform: 'darwin', searchPath: fake.bin, timeoutMs })
  const started = Date.now()
  const html = (await get(`/pair/${code}`)).body.toString()
  const tookMs = Date.now() - started
  assert.ok(tookMs < timeoutMs + 1_000, `answered in ${tookMs} ms`)
  assert.match(html, STEP_LIST)
  assert.deepEqual(fileLinks(html), [])
  const pid = fake.pid()
  assert.ok(pid !== undefined, 'the fake ran')
  await waitFor('the hanging signer stopped and its folder removed', () => !isProcessAlive(pid) && readdirSync(tempRoot).length === 0, 10_000)
})
