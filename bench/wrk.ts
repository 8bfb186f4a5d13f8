// Runs wrk (keep-alive HTTP/1.1 load, TLS when the URL is https) with one of the scripts in lua/
// plus lua/common.lua, and returns its figures. wrk does not verify certificates: it only loads
// the server, the trust path is exercised by the Node clients.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const LUA_DIR = new URL('./lua/', import.meta.url)

export interface WrkOptions {
  url: string
  /** a file in bench/lua/ without ".lua", or null for wrk's plain GET of `url` */
  script: string | null
  scriptArgs?: string[]
  headers?: Record<string, string>
  connections: number
  threads: number
  durationSeconds: number
}

export interface WrkResult {
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** socket errors and non-2xx/3xx answers; a valid run has none */
  errors: { connect: number; read: number; write: number; status: number; timeout: number }
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const scriptDir = mkdtempSync(path.join(os.tmpdir(), 'vds-wrk-'))
  try {
    // wrk takes one script: the request logic and the shared parts go into one file.
    const scriptFile = path.join(scriptDir, 'script.lua')
    const parts = [...(options.script === null ? [] : [options.script]), 'common']
    writeFileSync(scriptFile, parts.map((name) => readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8')).join('\n'))
    const headerArgs = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`])
    const args = [
      `-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`,
      '--timeout', '5s', '--latency', ...headerArgs, '-s', scriptFile, options.url, '--', ...(options.scriptArgs ?? []),
    ]
    const { stdout } = await promisify(execFile)('wrk', args, { timeout: (options.durationSeconds + 30) * 1000 })
    return parseReport(stdout)
  } finally {
    rmSync(scriptDir, { recursive: true, force: true })
  }
}

/** Reads the WRK_JSON line lua/common.lua prints; exported for its unit test. */
export function parseReport(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no report:\n${stdout}`)
  const report = JSON.parse(line.slice('WRK_JSON '.length)) as {
    requests: number
    duration_us: number
    p50_us: number
    p99_us: number
    max_us: number
    errors: WrkResult['errors']
  }
  return {
    requests: report.requests,
    requestsPerSecond: report.requests / (report.duration_us / 1e6),
    p50Ms: report.p50_us / 1000,
    p99Ms: report.p99_us / 1000,
    maxMs: report.max_us / 1000,
    errors: report.errors,
  }
}

/** Throws when wrk saw errors: figures from a run with failed requests would flatter the server. */
export function assertNoWrkErrors(result: WrkResult, what: string): void {
  const total = Object.values(result.errors).reduce((a, b) => a + b, 0)
  if (total > 0) throw new Error(`${what}: wrk saw errors ${JSON.stringify(result.errors)} in ${result.requests} requests`)
}
