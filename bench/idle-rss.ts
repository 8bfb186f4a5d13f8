// SPEC §7: idle memory (RSS) ≤ 100 MB and ≤ 1.3× the floor (bench/peers/floor.js, a minimal
// Fastify + better-sqlite3 HTTPS server) measured in the same run with the same warm-up: health,
// WARM_UP_REQUESTS submissions (plus status and history, which only the server has), IDLE_MS idle,
// then VmRSS from /proc. Repeated, alternating the two, and reported as medians.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import { loadAverage1m } from './machine.js'
import type { Measurement } from './measurement.js'
import { startFloor } from './peers.js'
import { BENCH_SERVER_CONFIG, benchVideoUrl, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { median, roundFigure } from './stats.js'

const IDLE_MS = 2000
const WARM_UP_REQUESTS = 10
const REPETITIONS = 3

export const idleRss: Measurement = {
  name: 'idle-rss',
  description: `server and floor RSS after ${WARM_UP_REQUESTS} submissions and ${IDLE_MS / 1000} s idle, ${REPETITIONS} times each`,
  async run({ tempDir }) {
    const serverMb: number[] = []
    const floorMb: number[] = []
    const loads: number[] = []
    for (let i = 0; i < REPETITIONS; i++) {
      loads.push(loadAverage1m())
      const server = await startServerProcess({ dir: tempDir('vds-bench-rss-'), config: BENCH_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
      try {
        await warmUp(server)
        await sleep(IDLE_MS)
        serverMb.push(residentMegabytes(server.pid))
      } finally {
        await server.stop()
      }
      const floor = await startFloor(tempDir('vds-bench-rss-floor-'))
      try {
        if ((await floor.request('/health')).status !== 200) throw new Error('floor /health failed')
        for (let n = 0; n < WARM_UP_REQUESTS; n++) {
          const answer = await floor.request('/api/v1/download', { method: 'POST', json: { url: benchVideoUrl(n) } })
          if (answer.status !== 201) throw new Error(`floor submission answered ${answer.status}: ${answer.body}`)
        }
        await sleep(IDLE_MS)
        floorMb.push(residentMegabytes(floor.pid))
      } finally {
        await floor.stop()
      }
    }
    const server = median(serverMb)
    const floor = median(floorMb)
    const how = (samples: number[]) =>
      `median of ${samples.length} (${samples.map((v) => roundFigure(v)).join(', ')} MB); VmRSS after health, ${WARM_UP_REQUESTS} submissions, ${IDLE_MS / 1000} s idle; node --max-semi-space-size=2 for both`
    return [
      { id: 'idle_rss_mb', label: 'Idle RSS: this server', value: server, unit: 'MB', target: 100, detail: `${how(serverMb)}; the server also answered status, history`, load: loads },
      { id: 'idle_rss_floor_mb', label: 'Idle RSS: floor (Fastify + better-sqlite3)', value: floor, unit: 'MB', detail: how(floorMb), load: loads },
      { id: 'idle_rss_to_floor_ratio', label: 'Ratio, idle RSS: this server ÷ floor', value: server / floor, unit: '×', target: 1.3, detail: `${roundFigure(server)} ÷ ${roundFigure(floor)} MB (medians)` },
    ]
  },
}

/** Touches every route a phone uses, so lazily loaded code and caches are counted. */
async function warmUp(server: ServerProcess): Promise<void> {
  let lastId = ''
  for (let i = 0; i < WARM_UP_REQUESTS; i++) {
    const response = await server.request('/api/v1/download', { method: 'POST', json: { url: benchVideoUrl(i) } })
    if (response.status !== 201) throw new Error(`submission answered ${response.status}: ${response.body}`)
    lastId = JSON.parse(response.body).download_id
  }
  for (const route of [`/api/v1/status/${lastId}`, '/api/v1/history', '/api/v1/health']) {
    const response = await server.request(route)
    if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${response.body}`)
  }
}

/** VmRSS (kB in /proc) in MB of 2^20 bytes. Linux only, like the rest of this benchmark. */
export function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status)
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) / 1024
}
