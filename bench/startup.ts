// SPEC §7: start-up to healthy ≤ 1 s, from spawn() to the first 200 of GET /api/v1/health
// (process start, config, database, TLS, listen). Measured separately for the usual restart (data
// folder and certificates exist) and for the very first start, which generates the local CA.
import { spawnServerProcess } from '../test/helpers/server-process.js'
import type { Figure, Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG } from './server-config.js'
import { median } from './stats.js'

const RESTARTS = 5
const FIRST_STARTS = 3

export const startup: Measurement = {
  name: 'startup',
  description: `start-up to healthy: ${RESTARTS} restarts, ${FIRST_STARTS} first starts`,
  async run({ tempDir }) {
    const firstStartsMs: number[] = []
    for (let i = 0; i < FIRST_STARTS; i++) firstStartsMs.push(await timeToHealthy(tempDir('vds-bench-first-start-')))
    const existing = tempDir('vds-bench-restart-')
    await timeToHealthy(existing) // creates the data folder and certificates
    const restartsMs: number[] = []
    for (let i = 0; i < RESTARTS; i++) restartsMs.push(await timeToHealthy(existing))
    const figure = (id: string, label: string, samples: number[], detail: string): Figure => ({
      id, label, value: median(samples), unit: 'ms', target: 1000,
      detail: `median of ${samples.length} (${samples.map(Math.round).join(', ')} ms); ${detail}`,
    })
    return [
      figure('startup_restart_ms', 'Start-up to healthy (existing data and certificates)', restartsMs, 'node dist/cli.js serve'),
      figure('startup_first_ms', 'Start-up to healthy (first start, generates the local CA)', firstStartsMs, 'fresh data folder'),
    ]
  },
}

async function timeToHealthy(dir: string): Promise<number> {
  const { server, ready, spawnedAt } = await spawnServerProcess({ dir, config: BENCH_SERVER_CONFIG })
  try {
    await ready
    return performance.now() - spawnedAt
  } finally {
    await server.stop()
  }
}
