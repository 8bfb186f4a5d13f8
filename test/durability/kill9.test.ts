// SPEC §1.1 against the real server process: kill -9 at a random moment under concurrent
// submissions loses no acknowledged link, a client that retries with its Idempotency-Key never
// makes a duplicate, and after a clean SIGTERM the database passes integrity_check.
// kill -9 proves the answer waits for the commit; surviving power loss is the job of the fsync that
// synchronous=FULL adds to each commit (src/db/open.ts), which a process crash cannot exercise.
//
// The server runs from dist/ (what users run; starts in well under a second, so five restarts fit
// the time budget). `npm test` builds before testing; run alone, the `before` hook rebuilds dist/
// when src/ is newer.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import {
  ensureFreshBuild,
  killLeftoverServers,
  spawnServerProcess,
  startServerProcess,
  type HttpResponse,
  type ServerProcess,
} from '../helpers/server-process.js'
import { tempDir } from '../helpers/test-app.js'

const CYCLES = 4
const CONCURRENT_CLIENTS = 16
/** Bounds each client's loop; the kill comes long before. */
const MAX_REQUESTS_PER_CLIENT = 2000
const KILL_DELAY_MS = { min: 50, max: 400 }
const FIRST_ACK_TIMEOUT_MS = 20_000
/** Errors of a request whose server died under it: no answer, so nothing was promised. */
const SERVER_GONE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE'])

interface Submission {
  url: string
  idempotencyKey: string
}

interface Acknowledged extends Submission {
  downloadId: string
}

// Deduplication off: only the Idempotency-Key can stop a retried request from becoming a second row,
// so a lost idempotency record would show up as a duplicate URL.
const SERVER_CONFIG = { downloads: { allowed_domains: ['tiktok.com'], deduplicate: false } }

before(() => ensureFreshBuild())

test('kill -9 under concurrent submissions loses no acknowledged link and duplicates none', { timeout: 60_000 }, async (t) => {
  t.after(killLeftoverServers)
  const dir = tempDir(t, 'vds-kill9-')
  const acknowledged: Acknowledged[] = []
  let server = await startServerProcess({ dir, config: SERVER_CONFIG })
  assert.match(server.url, /^https:/, 'the server serves HTTPS by default')

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const killDelayMs = KILL_DELAY_MS.min + Math.floor(Math.random() * (KILL_DELAY_MS.max - KILL_DELAY_MS.min + 1))
    const load = submitUntilServerDies(server, cycle)
    // The random delay counts from the first acknowledgement, not from the first request: on a
    // loaded machine the first commits can take longer than the whole delay, and a kill before
    // any answer proves nothing.
    await load.firstAcknowledged
    await sleep(killDelayMs)
    const exit = await server.stop('SIGKILL')
    assert.equal(exit.signal, 'SIGKILL')
    const { answered, unanswered } = await load.done
    t.diagnostic(`cycle ${cycle}: killed after ${killDelayMs} ms; ${answered.length} acknowledged, ${unanswered.length} unanswered`)
    assert.ok(answered.length > 0, 'some submissions were acknowledged before the kill')
    assert.ok(unanswered.length > 0, 'the kill struck while requests were in flight')
    acknowledged.push(...answered)

    server = await startServerProcess({ dir, config: SERVER_CONFIG })
    await assertAllPresent(server, acknowledged)
    await assertReplaysKeepTheirIds(server, answered)
    // A client that got no answer sends again with the same key: the server either stores it now
    // (the crash came before the commit) or replays the answer it committed but could not send.
    acknowledged.push(...(await resend(server, unanswered)))
    assertStoredExactlyOnce(server.databaseFile, acknowledged)
  }

  const exit = await server.stop('SIGTERM')
  assert.deepEqual(exit, { code: 0, signal: null }, `clean shutdown exits 0:\n${server.output()}`)
  assertStoredExactlyOnce(server.databaseFile, acknowledged)
  const db = new Database(server.databaseFile, { readonly: true, fileMustExist: true })
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  } finally {
    db.close()
  }
})

test('a second server on the same data folder refuses to start and names the first', { timeout: 30_000 }, async (t) => {
  t.after(killLeftoverServers)
  const first = await startServerProcess({ dir: tempDir(t, 'vds-lock-first-') })
  const second = await spawnServerProcess({
    dir: tempDir(t, 'vds-lock-second-'),
    config: { storage: { data_dir: first.dataDir } },
  })
  await assert.rejects(second.ready, new RegExp(`Another Video Download Server \\(pid ${first.pid}\\) is using`))
  assert.equal(second.server.child.exitCode, 75, 'EX_TEMPFAIL: the data folder is in use')
  assert.equal((await first.request('/api/v1/health')).status, 200, 'the first server keeps running')
  assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null })
})

/** Submits distinct links from concurrent clients until the server stops answering. */
/** Load until the server dies; `firstAcknowledged` settles at the first 201 (or fails after 20 s). */
function submitUntilServerDies(server: ServerProcess, cycle: number) {
  const answered: Acknowledged[] = []
  const unanswered: Submission[] = []
  let sent = 0
  const stopWaiting = new AbortController()
  let acknowledge = () => {}
  const firstAcknowledged = Promise.race([
    new Promise<void>((resolve) => (acknowledge = () => (stopWaiting.abort(), resolve()))),
    sleep(FIRST_ACK_TIMEOUT_MS, undefined, { signal: stopWaiting.signal }).then(() =>
      assert.fail(`no submission was acknowledged within ${FIRST_ACK_TIMEOUT_MS} ms`),
    ),
  ])
  const client = async () => {
    for (let i = 0; i < MAX_REQUESTS_PER_CLIENT; i++) {
      const submission = { url: videoUrl(cycle, sent++), idempotencyKey: randomUUID() }
      let response: HttpResponse
      try {
        response = await submit(server, submission)
      } catch (err) {
        if (!SERVER_GONE.has((err as NodeJS.ErrnoException).code ?? '')) throw err
        unanswered.push(submission)
        return
      }
      assert.equal(response.status, 201, response.body)
      answered.push({ ...submission, downloadId: JSON.parse(response.body).download_id })
      acknowledge()
    }
  }
  const done = Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, client)).then(() => ({ answered, unanswered }))
  return { firstAcknowledged, done }
}

function videoUrl(cycle: number, n: number): string {
  return `https://www.tiktok.com/@vds-durability/video/7${cycle}${String(n).padStart(17, '0')}`
}

function submit(server: ServerProcess, { url, idempotencyKey }: Submission): Promise<HttpResponse> {
  return server.request('/api/v1/download', { method: 'POST', json: { url }, headers: { 'idempotency-key': idempotencyKey } })
}

/** Runs `each` over `items` with at most CONCURRENT_CLIENTS at a time. */
async function forEachConcurrently<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await each(items[next++]!)
  }
  await Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, worker))
}

async function assertAllPresent(server: ServerProcess, acknowledged: readonly Acknowledged[]): Promise<void> {
  await forEachConcurrently(acknowledged, async ({ downloadId, url }) => {
    const response = await server.request(`/api/v1/status/${downloadId}`)
    assert.equal(response.status, 200, `acknowledged download ${downloadId} is missing after the crash`)
    assert.equal(JSON.parse(response.body).url, url)
  })
}

async function assertReplaysKeepTheirIds(server: ServerProcess, answered: readonly Acknowledged[]): Promise<void> {
  await forEachConcurrently(answered, async (submission) => {
    const response = await submit(server, submission)
    assert.equal(response.status, 200, response.body)
    assert.equal(response.headers['idempotent-replayed'], 'true')
    assert.equal(JSON.parse(response.body).download_id, submission.downloadId)
  })
}

async function resend(server: ServerProcess, unanswered: readonly Submission[]): Promise<Acknowledged[]> {
  const stored: Acknowledged[] = []
  await forEachConcurrently(unanswered, async (submission) => {
    const response = await submit(server, submission)
    const replayed = response.status === 200 && response.headers['idempotent-replayed'] === 'true'
    assert.ok(response.status === 201 || replayed, `resend answered ${response.status}: ${response.body}`)
    stored.push({ ...submission, downloadId: JSON.parse(response.body).download_id })
  })
  return stored
}

/** Read straight from the file (a second, read-only connection): one row per link, each with its id. */
function assertStoredExactlyOnce(databaseFile: string, acknowledged: readonly Acknowledged[]): void {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare<[], { id: string; url: string }>('SELECT id, url FROM downloads').all()
    const idByUrl = new Map<string, string>()
    for (const row of rows) {
      assert.ok(!idByUrl.has(row.url), `${row.url} is stored twice`)
      idByUrl.set(row.url, row.id)
    }
    for (const { url, downloadId } of acknowledged) assert.equal(idByUrl.get(url), downloadId, `${url} is stored under its id`)
    assert.equal(rows.length, acknowledged.length, 'no row that no client was told about')
  } finally {
    db.close()
  }
}
