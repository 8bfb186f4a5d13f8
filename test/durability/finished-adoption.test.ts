// A finished file whose completion could not be written is adopted, not downloaded again (issue 8
// item 9), against the real server process: a fake yt-dlp finishes while another connection holds
// the database's write lock, so the completion is refused and kept in memory; then the server is
// killed (-9), or stopped (SIGTERM, which must still exit within 10 s). After the restart the job
// is completed with the file that was placed, and the downloader never runs a second time.
import assert from 'node:assert/strict'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { before, test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { writeFakeDownloader, type FakeDownloader } from '../helpers/fake-downloaders.js'
import { ensureFreshBuild, killLeftoverServers, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { tempDir } from '../helpers/test-app.js'

interface Status {
  status: string
  file_path: string | null
  file_size: number | null
  retry_count: number
  error_message: string | null
}

async function statusOf(server: ServerProcess, id: string): Promise<Status> {
  const res = await server.request(`/api/v1/status/${id}`)
  assert.equal(res.status, 200, res.body)
  return JSON.parse(res.body) as Status
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** Finished files in the downloads folder (not the work folders), relative. */
function finishedFiles(downloadsDir: string): string[] {
  return readdirSync(downloadsDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.startsWith('.incomplete') && statSync(path.join(downloadsDir, name)).isFile())
    .sort()
}

before(() => ensureFreshBuild())

/**
 * Runs the job up to "file placed, completion refused": the fake waits for `go`, which the test
 * creates only once another connection holds the write lock. Returns the held lock's connection.
 */
async function finishUnderLock(t: TestContext, stopSignal: 'SIGKILL' | 'SIGTERM') {
  t.after(killLeftoverServers)
  const dir = tempDir(t, 'vds-adopt-')
  const go = path.join(dir, 'go')
  const fake: FakeDownloader = await writeFakeDownloader(dir, 'fake-yt-dlp', `while [ ! -e '${go}' ]; do sleep 0.1; done\nresult "clip.mp4" clip-1\nexit 0`)
  t.after(() => fake.killAll())
  const config = {
    downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [0.5], ios_compatible: false, embed_metadata: false },
    ytdlp: { path: fake.path },
  }
  const downloadsDir = path.join(dir, 'downloads')
  let server = await startServerProcess({ dir, config })
  const submitted = await server.request('/api/v1/download', { method: 'POST', json: { url: 'http://127.0.0.1:9/clip' } })
  assert.equal(submitted.status, 201, submitted.body)
  const id = (JSON.parse(submitted.body) as { download_id: string }).download_id
  await until('the downloader to start', 20_000, async () => ((await fake.pids()).length > 0 && (await statusOf(server, id)).status === 'downloading' ? true : undefined))

  const lock = new Database(server.databaseFile)
  lock.pragma('busy_timeout = 5000')
  lock.exec('BEGIN EXCLUSIVE')
  writeFileSync(go, '')
  const placed = await until('the finished file to be placed', 20_000, () => finishedFiles(downloadsDir)[0])
  await until('the refused completion to be kept', 20_000, async () => {
    const health = JSON.parse((await server.request('/api/v1/health')).body) as { checks?: { name: string; message?: string }[] }
    return health.checks?.some((c) => c.name === 'database' && /1 job state kept/.test(c.message ?? '')) ? true : undefined
  })
  assert.equal((await statusOf(server, id)).status, 'downloading', 'the completion is not in the database')

  const started = Date.now()
  const exit = await server.stop(stopSignal, 15_000)
  const stopMs = Date.now() - started
  lock.exec('ROLLBACK')
  lock.close()

  server = await startServerProcess({ dir, config })
  t.after(() => server.stop('SIGKILL'))
  const done = await until('the job to complete', 30_000, async () => {
    const status = await statusOf(server, id)
    assert.notEqual(status.status, 'failed', `the job failed: ${status.error_message}`)
    return status.status === 'completed' ? status : undefined
  })
  return { exit, stopMs, placed, done, fake, downloadsDir, server }
}

test('kill -9 while the completion is refused: the restart adopts the placed file, no second download', { timeout: 120_000 }, async (t) => {
  const { exit, placed, done, fake, downloadsDir, server } = await finishUnderLock(t, 'SIGKILL')
  assert.equal(exit.signal, 'SIGKILL')
  assert.equal(done.file_path, placed, 'completed with the file the first run placed')
  assert.equal(done.file_size, 'fake video'.length)
  assert.equal(done.retry_count, 0)
  assert.deepEqual(finishedFiles(downloadsDir), [placed], 'one file: nothing downloaded a second time, no "(2)" copy')
  assert.equal((await fake.pids()).length, 1, 'the downloader ran once')
  assert.equal((await server.stop('SIGTERM')).code, 0)
})

test('SIGTERM while the completion is refused: the server still exits within 10 s, and the restart adopts the file', { timeout: 120_000 }, async (t) => {
  const { exit, stopMs, placed, done, fake, downloadsDir, server } = await finishUnderLock(t, 'SIGTERM')
  assert.equal(exit.code, 0)
  assert.ok(stopMs < 10_000, `shutdown took ${stopMs} ms`)
  assert.equal(done.file_path, placed)
  assert.deepEqual(finishedFiles(downloadsDir), [placed])
  assert.equal((await fake.pids()).length, 1, 'the downloader ran once')
  assert.equal((await server.stop('SIGTERM')).code, 0)
})
