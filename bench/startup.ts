// SPEC §7: `npm start` to healthy ≤ 1.5 s when the build is current: from spawning `npm start`
// to the first 200 of GET /api/v1/health (npm, prestart's staleness check, node, config, database,
// TLS, listen). Also, without a target, `node dist/cli.js serve` alone, for the usual restart (data
// folder and certificates exist) and for the very first start, which generates the local CA.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { httpRequest, spawnServerProcess } from '../test/helpers/server-process.js'
import { localCaPaths } from '../src/tls/local-ca.js'
import { loadAverage1m } from './machine.js'
import type { Figure, Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { median } from './stats.js'

const RESTARTS = 5
const FIRST_STARTS = 3

export const startup: Measurement = {
  name: 'startup',
  description: `start-up to healthy: ${RESTARTS} restarts, ${FIRST_STARTS} first starts`,
  async run({ tempDir }) {
    const firstStartsMs: number[] = []
    for (let i = 0; i < FIRST_STARTS; i++) firstStartsMs.push((await timeToHealthy(tempDir('vds-bench-first-start-'))).wallMs)
    const existing = tempDir('vds-bench-restart-')
    await timeToHealthy(existing) // creates the data folder and certificates
    const restartsMs: number[] = []
    const restartsCpuMs: number[] = []
    const npmStartsMs: number[] = []
    const loads: number[] = []
    // Alternating, so both kinds of start see the same drift in the machine's load.
    for (let i = 0; i < RESTARTS; i++) {
      loads.push(loadAverage1m())
      const restart = await timeToHealthy(existing)
      restartsMs.push(restart.wallMs)
      restartsCpuMs.push(restart.cpuMs)
      npmStartsMs.push(await npmStartToHealthy(existing))
    }
    const figure = (id: string, label: string, samples: number[], detail: string, target?: number): Figure => ({
      id, label, value: median(samples), unit: 'ms', ...(target === undefined ? {} : { target }), load: loads,
      detail: `median of ${samples.length} (${samples.map(Math.round).join(', ')} ms); ${detail}`,
    })
    return [
      figure('startup_npm_start_ms', '`npm start` to healthy (build current, existing data)', npmStartsMs, 'VDS_CONFIG=<config> npm start --silent', 1500),
      figure('startup_restart_ms', 'Start-up to healthy, node alone (existing data and certificates)', restartsMs, 'node --max-semi-space-size=2 dist/cli.js serve'),
      figure('startup_restart_cpu_ms', 'CPU time of that restart until healthy (user + system, the server process)', restartsCpuMs,
        'utime + stime from /proc/<pid>/stat at the first healthy answer: counts work, not waiting for a busy CPU'),
      figure('startup_first_ms', 'Start-up to healthy, node alone (first start, generates the local CA)', firstStartsMs, 'fresh data folder'),
    ]
  },
}

async function timeToHealthy(dir: string): Promise<{ wallMs: number; cpuMs: number }> {
  const { server, ready, spawnedAt } = await spawnServerProcess({ dir, config: BENCH_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
  try {
    await ready
    return { wallMs: performance.now() - spawnedAt, cpuMs: cpuMilliseconds(server.pid) }
  } finally {
    await server.stop()
  }
}

/** utime + stime of a process (Linux /proc; fields 14 and 15, in clock ticks of 10 ms). */
function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))

/** `npm start` on the folder `timeToHealthy` prepared (its config.yaml is JSON); SIGTERM to npm's process group after. */
async function npmStartToHealthy(dir: string): Promise<number> {
  const configFile = path.join(dir, 'config.yaml')
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { server: { port: number }; storage: { data_dir: string } }
  const ca = readFileSync(localCaPaths(config.storage.data_dir).caCert, 'utf8')
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VDS_') && !name.startsWith('npm_')))
  const startedAt = performance.now()
  const child = spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env: { ...env, VDS_CONFIG: configFile }, detached: true, stdio: 'ignore' })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before the server was healthy`)
      if (Date.now() > deadline) throw new Error('npm start: not healthy after 30 s')
      try {
        const health = await httpRequest(`https://127.0.0.1:${config.server.port}/api/v1/health`, { agent: false, ca, timeoutMs: 2000 })
        if (health.status === 200) return performance.now() - startedAt
      } catch {
        // not listening yet
      }
      await sleep(5)
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await exited
    await untilRefused(config.server.port)
  }
}

/** npm may exit before the server it started has closed its port; the next start needs it free. */
async function untilRefused(port: number): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    try {
      await httpRequest(`https://127.0.0.1:${port}/api/v1/health`, { agent: false, timeoutMs: 1000 })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return
    }
    await sleep(20)
  }
  throw new Error(`port ${port} still answers 15 s after npm start was stopped`)
}
