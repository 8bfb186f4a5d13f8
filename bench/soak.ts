// `npm run soak [-- --minutes N]` (30 by default): SPEC §7's soak. One real server (dist/, HTTPS,
// real yt-dlp downloading from the loopback media fixture) under mixed load at once: new
// submissions that download for real, duplicate submissions, status and history reads, and 20 SSE
// clients. Every few seconds it samples the server's RSS (/proc) and event-loop delay (/metrics,
// prom-client's monitorEventLoopDelay, reset at every scrape, so each sample covers one interval).
// Writes bench/results/soak-latest.json and soak-latest.md (also printed) and exits 1 when a target
// is missed. Judged in bench/soak-stats.ts.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startMediaServer } from '../test/fixtures/media-server.js'
import { ensureFreshBuild, startServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import { residentMegabytes } from './idle-rss.js'
import { loadAverage1m } from './machine.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { judgeSoak, loopDelayMs, parseLoopDelay, renderSoakSummary, type SoakCounts, type SoakReport, type SoakSample } from './soak-stats.js'

const SAMPLE_MS = 5000
const SSE_CLIENTS = 20
/** ms between requests of each kind; each kind is one sequential loop, so a slow server slows it, never piles up */
const EVERY_MS = { download: 4000, duplicate: 250, status: 100, history: 1000 } as const
const DRAIN_TIMEOUT_MS = 180_000
const RESULTS_DIR = new URL('./results/', import.meta.url)

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' } } })
const minutes = Number(values.minutes)
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, not ${values.minutes}`)

const counts: SoakCounts = { requests: {}, errors: {}, downloadsCompleted: 0, downloadsFailed: 0, sseEventsPerClient: [] }
const countRequest = (kind: string) => (counts.requests[kind] = (counts.requests[kind] ?? 0) + 1)
const countError = (what: string) => {
  counts.errors[what] = (counts.errors[what] ?? 0) + 1
  process.stderr.write(`  error: ${what}\n`)
}

/** Runs `body` every `intervalMs` (or right after the previous run when it took longer) until `running()` is false. */
async function loop(intervalMs: number, running: () => boolean, body: () => Promise<void>): Promise<void> {
  while (running()) {
    const startedAt = performance.now()
    await body()
    await sleep(Math.max(0, intervalMs - (performance.now() - startedAt)))
  }
}

/** One request of `kind`, counted; anything but `expected` statuses, or no answer, is an error. */
async function call(server: ServerProcess, kind: string, pathAndQuery: string, expected: number[], json?: unknown) {
  try {
    const response = await server.request(pathAndQuery, json === undefined ? {} : { method: 'POST', json })
    countRequest(kind)
    if (!expected.includes(response.status)) {
      countError(`${kind} answered ${response.status}`)
      return undefined
    }
    return JSON.parse(response.body) as Record<string, unknown>
  } catch (err) {
    countError(`${kind}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    return undefined
  }
}

/** An SSE client that counts status events and reconnects (with Last-Event-ID) when the stream ends early; each end is an error. */
function sseClient(server: ServerProcess, index: number, running: () => boolean) {
  let events = 0
  let lastEventId: string | undefined
  let request: ReturnType<typeof https.get> | undefined
  const connect = () => {
    request = https.get(`${server.url}/api/v1/events`, {
      agent: false, ca: server.ca ?? undefined,
      headers: { 'x-api-key': server.apiKey, ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
    })
    request.once('response', (response) => {
      if (response.statusCode !== 200) countError(`SSE client answered ${response.statusCode}`)
      let buffer = ''
      response.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk
        const blocks = buffer.split('\n\n')
        buffer = blocks.pop() ?? ''
        for (const block of blocks) {
          const lines = block.split('\n')
          const id = lines.find((l) => l.startsWith('id: '))
          if (id) lastEventId = id.slice(4)
          if (lines.includes('event: status')) events++
        }
      })
      response.once('close', () => ended('stream closed'))
    })
    request.on('error', (err: NodeJS.ErrnoException) => ended(err.code ?? err.message))
  }
  let reconnecting = false
  const ended = (why: string) => {
    if (!running() || reconnecting) return
    reconnecting = true
    countError(`SSE client ${index}: ${why}`)
    setTimeout(() => {
      reconnecting = false
      connect()
    }, 1000)
  }
  connect()
  return { events: () => events, close: () => request?.destroy() }
}

async function sample(server: ServerProcess, startedAt: number): Promise<SoakSample | undefined> {
  try {
    const response = await server.request('/metrics')
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
    const loop = parseLoopDelay(response.body)
    return {
      atMs: performance.now() - startedAt,
      rssMb: residentMegabytes(server.pid),
      loopDelayP99Ms: loopDelayMs(loop.p99Seconds),
      loopDelayMaxMs: loopDelayMs(loop.maxSeconds),
      loadAverage: loadAverage1m(),
    }
  } catch (err) {
    countError(`sample: ${(err as Error).message}`)
    return undefined
  }
}

/** After the load: waits until no download is pending or running, then counts the outcomes. */
async function drain(server: ServerProcess): Promise<void> {
  const total = async (status: string) => {
    const page = await call(server, 'drain', `/api/v1/history?status=${status}&limit=1`, [200])
    return typeof page?.total === 'number' ? page.total : 0
  }
  const deadline = Date.now() + DRAIN_TIMEOUT_MS
  while ((await total('pending')) + (await total('downloading')) > 0) {
    if (Date.now() > deadline) {
      countError(`downloads still unfinished ${DRAIN_TIMEOUT_MS / 1000} s after the load stopped`)
      break
    }
    await sleep(1000)
  }
  counts.downloadsCompleted = await total('completed')
  counts.downloadsFailed = await total('failed')
  if (counts.downloadsFailed > 0) countError(`${counts.downloadsFailed} downloads failed`)
}

function commitOfTree(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
  return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}`
}

async function main(): Promise<number> {
  ensureFreshBuild()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-soak-'))
  const media = await startMediaServer()
  const startedAtIso = new Date().toISOString()
  const server = await startServerProcess({
    dir,
    config: { ...BENCH_SERVER_CONFIG, downloads: { allowed_domains: ['127.0.0.1'] }, ytdlp: { path: 'yt-dlp' } },
    startTimeoutMs: BENCH_START_TIMEOUT_MS,
  })
  const durationMs = minutes * 60_000
  const samples: SoakSample[] = []
  const submitted: string[] = []
  const ids: string[] = []
  let running = true
  const isRunning = () => running
  server.child.once('exit', (code, signal) => {
    if (running) countError(`server exited during the soak (${code ?? signal})`)
    running = false
  })
  const clients = Array.from({ length: SSE_CLIENTS }, (_, i) => sseClient(server, i, isRunning))
  try {
    await sample(server, performance.now()) // resets the delay histogram: start-up is not part of the soak
    const startedAt = performance.now()
    process.stderr.write(`soak: ${minutes} min on ${server.url}, ${SSE_CLIENTS} SSE clients\n`)
    let n = 0
    const loops = [
      loop(EVERY_MS.download, isRunning, async () => {
        const url = media.url(`/video.mp4?soak=${n++}`)
        const answer = await call(server, 'new submission', '/api/v1/download', [201], { url })
        if (!answer) return
        submitted.push(url)
        ids.push(String(answer.download_id))
      }),
      loop(EVERY_MS.duplicate, isRunning, async () => {
        if (submitted.length === 0) return
        const url = submitted[Math.floor(Math.random() * submitted.length)]!
        const answer = await call(server, 'duplicate submission', '/api/v1/download', [200], { url })
        if (answer && answer.duplicate !== true) countError('duplicate submission not answered as a duplicate')
      }),
      loop(EVERY_MS.status, isRunning, async () => {
        if (ids.length) await call(server, 'status', `/api/v1/status/${ids[Math.floor(Math.random() * ids.length)]!}`, [200])
      }),
      loop(EVERY_MS.history, isRunning, async () => {
        // The web UI's view: the first page most of the time, sometimes an older page or the completed ones.
        const query = ['', '', '&offset=50', '&status=completed'][Math.floor(Math.random() * 4)]
        await call(server, 'history', `/api/v1/history?limit=50${query}`, [200])
      }),
      loop(SAMPLE_MS, isRunning, async () => {
        const taken = await sample(server, startedAt)
        if (taken) samples.push(taken)
        if (samples.length % 12 === 0 && taken) {
          process.stderr.write(`  ${Math.round(taken.atMs / 60_000)} min: RSS ${taken.rssMb.toFixed(1)} MB, loop p99 ${taken.loopDelayP99Ms.toFixed(1)} ms, load ${taken.loadAverage}, errors ${Object.values(counts.errors).reduce((a, b) => a + b, 0)}\n`)
        }
      }),
    ]
    const stopAt = setTimeout(() => (running = false), durationMs)
    await Promise.all(loops)
    clearTimeout(stopAt)
    await drain(server)
    counts.sseEventsPerClient = clients.map((c) => c.events())
  } finally {
    running = false
    for (const client of clients) client.close()
    await server.stop()
    await media.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const report: SoakReport = {
    startedAt: startedAtIso,
    commit: commitOfTree(),
    command: `npm run soak -- --minutes ${minutes}`,
    minutes,
    rates: `a new downloading submission every ${EVERY_MS.download / 1000} s, a duplicate submission every ${EVERY_MS.duplicate} ms, ` +
      `the status of one of the submitted downloads every ${EVERY_MS.status} ms, a history page of 50 every ${EVERY_MS.history} ms, ` +
      `${SSE_CLIENTS} SSE clients, samples every ${SAMPLE_MS / 1000} s`,
    samples,
    counts,
    verdict: judgeSoak(samples, counts, durationMs),
  }
  const summary = renderSoakSummary(report)
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(new URL('soak-latest.json', RESULTS_DIR), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(new URL('soak-latest.md', RESULTS_DIR), summary)
  process.stdout.write(summary)
  const { met } = report.verdict
  return met.errors && met.rss && met.loopDelay ? 0 : 1
}

// exit(), not exitCode: after a failure half-way an open fixture socket must not keep the run alive.
process.exit(await main())
