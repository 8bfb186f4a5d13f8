// SPEC §7, side by side in one run: durable submissions over HTTPS to this server, the floor
// (Fastify + better-sqlite3) and the seed stack (FastAPI + uvicorn + sqlite3), under the same two
// wrk loads: 32 keep-alive connections, and 8 clients that open a new TLS connection per request
// (`Connection: close` makes wrk reconnect after every answer, as a share sheet does). Repeated
// REPETITIONS times with the order of the three rotated, so none always runs first or last on a
// machine whose load drifts; the figures are medians of the repetitions.
import Database from 'better-sqlite3'
import { startServerProcess } from '../test/helpers/server-process.js'
import { loadAverage1m } from './machine.js'
import type { BenchContext, Figure, Measurement } from './measurement.js'
import { startFloor, startSeed } from './peers.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { median, roundFigure } from './stats.js'
import { runWrk, type WrkResult } from './wrk.js'

const REPETITIONS = 3
const DURATION_SECONDS = 10
const WARM_UP_SECONDS = 2

export const LOADS = [
  { key: 'keepalive', label: '32 keep-alive', connections: 32, headers: {}, p99Target: 10 },
  { key: 'new_tls', label: '8 clients, new TLS connection each', connections: 8, headers: { Connection: 'close' }, p99Target: 20 },
] as const
type LoadKey = (typeof LOADS)[number]['key']

const TARGETS = [
  { key: 'server', label: 'this server' },
  { key: 'floor', label: 'floor (Fastify + better-sqlite3)' },
  { key: 'seed', label: 'seed stack (FastAPI + uvicorn)' },
] as const
type TargetKey = (typeof TARGETS)[number]['key']

interface Running {
  url: string
  apiKey: string
  databaseFile: string
  stop(): Promise<unknown>
}

export interface Sample {
  target: TargetKey
  load: LoadKey
  result: WrkResult
  loadAverage: number
}

async function start(target: TargetKey, context: BenchContext): Promise<Running> {
  const dir = context.tempDir(`vds-bench-side-${target}-`)
  if (target === 'server') return startServerProcess({ dir, config: BENCH_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
  return target === 'floor' ? startFloor(dir) : startSeed(dir)
}

export const sideBySide: Measurement = {
  name: 'side-by-side',
  description: `server, floor and seed stack: ${LOADS.map((l) => l.label).join(' / ')}, ${DURATION_SECONDS} s each, ${REPETITIONS} repetitions`,
  async run(context) {
    const samples: Sample[] = []
    let runNumber = 100 // wrk's submit.lua makes links from it: distinct per run, so none deduplicates
    for (let repetition = 0; repetition < REPETITIONS; repetition++) {
      const order = TARGETS.map((_, i) => TARGETS[(i + repetition) % TARGETS.length]!.key)
      for (const target of order) {
        const running = await start(target, context)
        let answered = 0
        try {
          const wrk = (connections: number, headers: Record<string, string>, seconds: number) =>
            runWrk({
              url: `${running.url}/api/v1/download`, script: 'submit', scriptArgs: [String(runNumber++)],
              headers: { 'X-API-Key': running.apiKey, ...headers }, connections, threads: 1, durationSeconds: seconds,
            })
          answered += (await wrk(8, {}, WARM_UP_SECONDS)).requests // JIT and caches warm, not counted
          for (const load of LOADS) {
            const loadAverage = loadAverage1m()
            const result = await wrk(load.connections, load.headers, DURATION_SECONDS)
            answered += result.requests
            samples.push({ target, load: load.key, result, loadAverage })
            context.log(`${target} ${load.key}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${roundFigure(result.p99Ms)} ms, load ${loadAverage}`)
          }
        } finally {
          await running.stop()
        }
        // A 2xx must mean a stored row: wrk counts only answered requests, so stored ≥ answered.
        const stored = countRows(running.databaseFile)
        if (stored < answered) throw new Error(`${target}: ${answered} submissions answered but only ${stored} rows stored`)
      }
    }
    return sideBySideFigures(samples)
  },
}

/** The medians per target and load, and the ratios SPEC §7 sets targets for. */
export function sideBySideFigures(samples: readonly Sample[]): Figure[] {
  const figures: Figure[] = []
  const medians = new Map<string, number>()
  for (const load of LOADS) {
    for (const target of TARGETS) {
      const runs = samples.filter((s) => s.target === target.key && s.load === load.key)
      if (runs.length === 0) continue
      const errors = runs.reduce((sum, s) => sum + Object.values(s.result.errors).reduce((a, b) => a + b, 0), 0)
      const detail =
        `median of ${runs.length} wrk -t1 -c${load.connections} -d${DURATION_SECONDS}s runs ` +
        `(${runs.map((s) => Math.round(s.result.requestsPerSecond)).join(', ')} req/s), ` +
        `${errors} errors or non-2xx${'Connection' in load.headers ? ', -H "Connection: close"' : ''}`
      const load1m = runs.map((s) => s.loadAverage)
      const id = `${load.key}_${target.key}`
      const rps = median(runs.map((s) => s.result.requestsPerSecond))
      medians.set(id, rps)
      const server = target.key === 'server'
      figures.push(
        { id: `${id}_rps`, label: `Submissions/s, ${load.label}: ${target.label}`, value: rps, unit: 'req/s', detail, load: load1m },
        { id: `${id}_p50_ms`, label: `Submission p50, ${load.label}: ${target.label}`, value: median(runs.map((s) => s.result.p50Ms)), unit: 'ms', detail, load: load1m },
        {
          id: `${id}_p99_ms`, label: `Submission p99, ${load.label}: ${target.label}`, value: median(runs.map((s) => s.result.p99Ms)),
          unit: 'ms', ...(server ? { target: load.p99Target } : {}), detail, load: load1m,
        },
      )
      if (server) figures.push({ id: `${id}_errors`, label: `wrk errors and non-2xx answers, ${load.label}: this server`, value: errors, unit: '', target: 0, detail })
    }
  }
  const ratio = (load: LoadKey, peer: TargetKey, atLeast: number | undefined, label: string) => {
    const server = medians.get(`${load}_server`)
    const other = medians.get(`${load}_${peer}`)
    if (server === undefined || other === undefined) return
    figures.push({
      id: `${load}_server_to_${peer}_ratio`, label, value: server / other, unit: '×', ...(atLeast === undefined ? {} : { atLeast }),
      detail: `${roundFigure(server)} ÷ ${roundFigure(other)} req/s (medians)`,
    })
  }
  ratio('keepalive', 'seed', 8, 'Ratio, 32 keep-alive: this server ÷ seed stack')
  ratio('keepalive', 'floor', 1, 'Ratio, 32 keep-alive: this server ÷ floor')
  ratio('new_tls', 'seed', 1.5, 'Ratio, new TLS connection each: this server ÷ seed stack')
  ratio('new_tls', 'floor', undefined, 'Ratio, new TLS connection each: this server ÷ floor')
  return figures
}

function countRows(databaseFile: string): number {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true })
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM downloads').get()!.n
  } finally {
    db.close()
  }
}
