// SPEC §7: status and the first history page ≤ 10 ms p99 with 1,000,000 rows in the database.
// Seeds a fresh data folder, starts the server on it, then loads each route with wrk over HTTPS.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { spawnServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import type { Figure, Measurement } from './measurement.js'
import { seedDownloads } from './seed-downloads.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { assertNoWrkErrors, runWrk, type WrkOptions } from './wrk.js'

const ROWS = 1_000_000
const CONNECTION_COUNTS = [1, 4]
const DURATION_SECONDS = 5

export const millionRows: Measurement = {
  name: 'million-rows',
  description: `status and history p99 with ${ROWS.toLocaleString('en')} rows`,
  async run({ tempDir, log }) {
    const dir = tempDir('vds-bench-million-')
    const seedStartedAt = performance.now()
    const { sampleIds } = seedDownloads(path.join(dir, 'data'), ROWS)
    // Write the ~1 GB back now, so the disk is not busy with it while the server is measured.
    execFileSync('sync')
    log(`seeded ${ROWS} rows in ${((performance.now() - seedStartedAt) / 1000).toFixed(1)} s`)
    const idsFile = path.join(dir, 'sample-ids.txt')
    writeFileSync(idsFile, `${sampleIds.join('\n')}\n`)

    const { server, ready, spawnedAt } = await spawnServerProcess({ dir, config: BENCH_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
    try {
      await ready
      const startupMs = performance.now() - spawnedAt
      await assertSeeded(server, sampleIds[0]!)
      const figures: Figure[] = []
      // One connection: the route's own latency. Four: a phone, a browser and scripts at once,
      // where a request also waits behind the others on the single-threaded server.
      for (const connections of CONNECTION_COUNTS) {
        const load = { headers: { 'X-API-Key': server.apiKey }, connections, threads: 1, durationSeconds: DURATION_SECONDS }
        const status = await measureRoute({ ...load, url: `${server.url}/api/v1/status`, script: 'status', scriptArgs: [idsFile] })
        const history = await measureRoute({ ...load, url: `${server.url}/api/v1/history`, script: null })
        const detail = (what: string, requests: number) => `wrk -t1 -c${connections} -d${DURATION_SECONDS}s, ${requests} requests, ${what}`
        figures.push(
          { id: `status_1m_c${connections}_p99_ms`, label: `GET status p99, 1M rows, ${connections} connection(s)`, value: status.p99Ms,
            unit: 'ms', target: 10, detail: detail(`random ids out of ${sampleIds.length}`, status.requests) },
          { id: `history_1m_c${connections}_p99_ms`, label: `GET history first page (50) p99, 1M rows, ${connections} connection(s)`,
            value: history.p99Ms, unit: 'ms', target: 10, detail: detail('GET /api/v1/history', history.requests) },
        )
      }
      return [
        ...figures,
        { id: 'startup_1m_ms', label: 'Start-up to healthy, 1M rows', value: startupMs, unit: 'ms', target: 1000, detail: 'one start, on the seeded folder' },
      ]
    } finally {
      await server.stop()
    }
  },
}

async function measureRoute(options: WrkOptions) {
  const result = await runWrk(options)
  assertNoWrkErrors(result, options.url)
  return result
}

/** The server sees the seeded rows: a lookup works and history counts them all. */
async function assertSeeded(server: ServerProcess, someId: string): Promise<void> {
  const status = await server.request(`/api/v1/status/${someId}`)
  if (status.status !== 200) throw new Error(`status of a seeded row answered ${status.status}: ${status.body}`)
  const history = JSON.parse((await server.request('/api/v1/history')).body) as { total: number; downloads: unknown[] }
  if (history.total !== ROWS || history.downloads.length !== 50) {
    throw new Error(`history shows ${history.downloads.length} of ${history.total} rows, expected 50 of ${ROWS}`)
  }
}
