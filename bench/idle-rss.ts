// SPEC §7: idle memory (RSS) ≤ 60 MB, read from /proc after start-up, a few requests and 2 s idle.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import type { Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG, benchVideoUrl } from './server-config.js'

const IDLE_MS = 2000
const WARM_UP_REQUESTS = 10

export const idleRss: Measurement = {
  name: 'idle-rss',
  description: `server RSS after ${WARM_UP_REQUESTS} submissions, status, history and ${IDLE_MS / 1000} s idle`,
  async run({ tempDir }) {
    const server = await startServerProcess({ dir: tempDir('vds-bench-rss-'), config: BENCH_SERVER_CONFIG })
    try {
      await warmUp(server)
      await sleep(IDLE_MS)
      return [
        {
          id: 'idle_rss_mb',
          label: 'Idle RSS of the server process',
          value: residentMegabytes(server.pid),
          unit: 'MB',
          target: 60,
          detail: `VmRSS from /proc/<pid>/status after health, ${WARM_UP_REQUESTS} submissions, status, history, ${IDLE_MS / 1000} s idle`,
        },
      ]
    } finally {
      await server.stop()
    }
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
