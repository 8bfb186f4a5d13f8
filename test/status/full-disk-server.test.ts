// @integration: a real 8 MB tmpfs filling up under a running server, with a fake downloader
// The disk fills up while the server runs (issue 8, "hides faults"): its database and downloads
// share a small tmpfs. A download that runs out of space (ENOSPC, faster than the disk guard looks)
// waits as disk_low instead of failing, and health names the disk; with the disk completely full
// a submission is stored or answered 503 storage_unavailable, never 500, and health is degraded;
// once the owner frees space, the waiting download completes and submissions are taken again.
// Nothing acknowledged is lost on the way.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { startServer } from '../../src/main.js'
import { writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { freePort, writeServerConfig } from '../helpers/server-process.js'
import { waitFor } from '../helpers/wait-for.js'

const KEY = 'full-disk-key-0123456789abcdef'
const MB = 1024 * 1024

// First run: more than the disk holds, failing the way yt-dlp does on ENOSPC. Later runs: a small file.
const FILLER = `
if [ ! -e "$FAKE_PIDS.filled" ]; then
  : > "$FAKE_PIDS.filled"
  head -c 30000000 /dev/zero > "$TEMP_DIR/video.mp4.part" 2>/dev/null || {
    echo 'ERROR: unable to write data: [Errno 28] No space left on device' >&2
    exit 1
  }
  exit 0
fi
result "video.mp4"
exit 0`

interface Row { status: string; waiting_reason: string | null; retry_count: number; error_code: string | null; url: string }
interface Health { status: string; checks: { name: string; status: string; message: string }[] }

/** Writes zeros into `file` until the file system is full. */
async function fillUp(file: string): Promise<void> {
  await writeFile(file, Buffer.alloc(16 * MB)).then(
    () => assert.fail('the 8 MB disk took 16 MB'),
    (err: NodeJS.ErrnoException) => assert.equal(err.code, 'ENOSPC'),
  )
}

test('a disk that fills up while the server runs: downloads wait, health says so, submissions are kept or 503, all recovers', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-full-disk-'))
  const disk = path.join(dir, 'disk')
  mkdirSync(disk)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    return t.skip(`cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${String((err as Error).message).split('\n')[0]}`)
  }
  const running: { close?: () => Promise<void> } = {}
  t.after(async () => {
    try {
      await running.close?.()
    } finally {
      execFileSync('umount', ['-l', disk])
      rmSync(dir, { recursive: true, force: true })
    }
  })
  const downloads = path.join(disk, 'downloads')
  mkdirSync(downloads)
  // What the owner downloaded before: the space freed at the end.
  const oldFiles = path.join(downloads, 'old downloads.bin')
  await writeFile(oldFiles, Buffer.alloc(2 * MB))
  const fake = await writeFakeDownloader(dir, 'filling-yt-dlp', FILLER)
  t.after(() => fake.killAll())
  const configFile = writeServerConfig(dir, {
    server: { host: '127.0.0.1', port: await freePort() },
    tls: { enabled: false },
    storage: { data_dir: path.join(disk, 'data'), downloads_dir: downloads, min_free_disk_mb: 1 },
    downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [1] },
    ytdlp: { path: fake.path },
    gallery_dl: { path: fake.path },
    tools: { managed: false },
    security: { api_keys: [{ name: 'owner', key: KEY }], rate_limit_per_hour: 0 },
    logging: { level: 'silent', file: null },
  })
  const server = await startServer({ configFile, env: {} })
  running.close = () => server.close()

  const api = async (route: string, body?: unknown) => {
    const answer = await fetch(`${server.url}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> }
  }
  const row = async (id: string) => (await api(`/api/v1/status/${id}`)).body as unknown as Row
  const health = async () => (await api('/api/v1/health')).body as unknown as Health
  const acknowledged: string[] = []
  const submit = async (n: number) => {
    const answer = await api('/api/v1/download', { url: `http://127.0.0.1:9/video/${n}` })
    assert.ok(answer.status === 201 || answer.status === 503, `submission ${n}: ${answer.status} ${JSON.stringify(answer.body)}`)
    if (answer.status === 201) acknowledged.push(String(answer.body.download_id))
    else assert.equal((answer.body.error as { code: string }).code, 'storage_unavailable')
    return answer.status
  }

  // 1. The download runs out of space: it waits, uncounted, and health names the disk.
  await submit(0)
  const waiting = await waitFor('the download to wait for space', async () => {
    const current = await row(acknowledged[0]!)
    assert.notEqual(current.status, 'failed', `failed as ${current.error_code}`)
    return current.status === 'pending' && current.waiting_reason === 'disk_low' ? current : undefined
  }, 15_000)
  assert.equal(waiting.retry_count, 0, 'a full disk is not a failed attempt')
  assert.equal(waiting.error_code, 'disk_full')
  const afterEnospc = await health()
  assert.equal(afterEnospc.status, 'degraded')
  assert.ok(afterEnospc.checks.some((c) => c.name === 'disk'), JSON.stringify(afterEnospc.checks))

  // 2. The disk is completely full: submissions are stored or refused with 503, never a 500.
  await fillUp(path.join(downloads, 'something else.bin'))
  const answers: number[] = []
  for (let n = 1; n <= 5; n++) answers.push(await submit(n))
  t.diagnostic(`submissions on the full disk answered ${answers.join(', ')}`)
  const full = await health()
  assert.equal(full.status, 'degraded', JSON.stringify(full.checks))
  assert.ok(full.checks.some((c) => c.name === 'disk'), JSON.stringify(full.checks))
  // Whether or not a write was refused yet: a database whose disk is full is not a healthy one.
  assert.ok(full.checks.some((c) => c.name === 'database'), `the database's full disk shows: ${JSON.stringify(full.checks)}`)
  assert.equal((await row(acknowledged[0]!)).status, 'pending', 'the waiting download does not start on a full disk')

  // 3. The owner frees space: the waiting download completes, submissions are taken again.
  await rm(path.join(downloads, 'something else.bin'))
  await rm(oldFiles)
  const done = await waitFor('the waiting download to complete', async () => {
    const current = await row(acknowledged[0]!)
    return current.status === 'completed' ? current : undefined
  }, 30_000)
  assert.equal(done.retry_count, 0)
  assert.equal(await submit(6), 201)
  for (const id of acknowledged) assert.ok(['pending', 'downloading', 'completed'].includes((await row(id)).status), `${id} is kept`)
  const recovered = await waitFor('health to recover', async () => {
    const now = await health()
    return now.checks.some((c) => c.name === 'disk' || c.name === 'database') ? undefined : now
  }, 20_000)
  assert.notEqual(recovered.status, 'unhealthy')
  t.diagnostic(`health when full: ${JSON.stringify(full.checks.map((c) => c.name))}; after: ${recovered.status}`)
})
