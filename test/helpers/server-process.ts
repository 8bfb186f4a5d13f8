// The real server as a child process (`vds serve --config FILE`) on a temp directory, for tests and
// benchmarks that need what app.inject() cannot give: a process that can be kill -9'd, a real TLS
// listener, real start-up time and real memory. One helper for test/durability and bench/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { Config } from '../../src/core/config.js'
import { DATABASE_FILE } from '../../src/db/open.js'
import { localCaPaths } from '../../src/tls/local-ca.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SOURCE_DIR = path.join(REPO_ROOT, 'src')
const BUILT_CLI = path.join(REPO_ROOT, 'dist', 'cli.js')
const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'build.js')
const POLL_INTERVAL_MS = 5
/** What `npm start` passes to node (package.json): a 2 MB young generation keeps idle RSS about 25 MB lower. */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=2']
const OUTPUT_TAIL_BYTES = 4096

/** Config sections to merge over {@link baseConfig}; every section is flat, so one level suffices. */
export type ConfigOverrides = { [Section in keyof Config]?: Partial<Config[Section]> }

export interface ServerProcessOptions {
  /** holds config.yaml, data/, downloads/, logs/ and server.out (stdout + stderr of every start) */
  dir: string
  config?: ConfigOverrides
  startTimeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface RequestOptions {
  method?: string
  /** sent as JSON */
  json?: unknown
  headers?: Record<string, string>
  /** send the API key (default true) */
  auth?: boolean
  timeoutMs?: number
}

export interface ServerProcess {
  child: ChildProcess
  pid: number
  /** e.g. https://127.0.0.1:40123 */
  url: string
  /** PEM of the local CA the client trusts; null over plain HTTP */
  ca: string | null
  apiKey: string
  dataDir: string
  databaseFile: string
  configFile: string
  /** a request over a keep-alive connection pool of this server, API key included */
  request(pathAndQuery: string, options?: RequestOptions): Promise<HttpResponse>
  /** sends `signal` and resolves with how the process ended (SIGKILL after `timeoutMs`) */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>
  /** the last few KB the server printed, for failure messages */
  output(): string
}

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

const running = new Set<ChildProcess>()
// A crashed test or benchmark must not leave servers behind holding ports and data dirs.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** SIGKILLs every server process this helper started that is still running. */
export async function killLeftoverServers(): Promise<void> {
  await Promise.all([...running].map((child) => waitForExit(child, 'SIGKILL', 5000)))
}

/**
 * Builds dist/ when it is missing or older than a file in src/, so a test run on its own starts the
 * code in the tree. Under `npm test` and `npm run bench` the build has just run and this does nothing.
 * It bundles without type-checking (the typecheck step reports type errors); a failed bundle throws.
 */
export function ensureFreshBuild(): void {
  if (!isBuildStale()) return
  const build = spawnSync(process.execPath, [BUILD_SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 })
  if (build.status !== 0 || isBuildStale()) throw new Error(`building dist/ failed:\n${build.stdout}${build.stderr}`)
}

function isBuildStale(): boolean {
  if (!existsSync(BUILT_CLI)) return true
  const builtAtMs = statSync(BUILT_CLI).mtimeMs
  return readdirSync(SOURCE_DIR, { recursive: true, encoding: 'utf8' }).some(
    (file) => file.endsWith('.ts') && statSync(path.join(SOURCE_DIR, file)).mtimeMs > builtAtMs,
  )
}

/** A TCP port free right now on 127.0.0.1 (another process could take it before the server does). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Defaults for a server under test: loopback, HTTPS, no rate limit, a yt-dlp that does not exist. */
export function baseConfig(dir: string, port: number, apiKey: string): ConfigOverrides {
  return {
    server: { host: '127.0.0.1', port },
    tls: { enabled: true },
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads'), min_free_disk_mb: 0 },
    downloads: { allowed_domains: ['tiktok.com'] },
    // No network here: a missing yt-dlp pauses the queue, so jobs stay pending instead of failing.
    ytdlp: { path: path.join(dir, 'no-such-yt-dlp') },
    // Load generators submit far more than 100 links an hour.
    security: { api_keys: [{ name: 'process-test', key: apiKey }], rate_limit_per_hour: 0 },
    logging: { level: 'warn', file: path.join(dir, 'logs', 'server.log') },
  }
}

function mergeSections(base: ConfigOverrides, overrides: ConfigOverrides): ConfigOverrides {
  const merged: Record<string, object> = { ...base }
  for (const [name, values] of Object.entries(overrides)) merged[name] = { ...merged[name], ...values }
  return merged
}

/** Writes `<dir>/config.yaml` (JSON is YAML) and returns its path. */
export function writeServerConfig(dir: string, sections: ConfigOverrides): string {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'config.yaml')
  writeFileSync(file, `${JSON.stringify(sections, null, 2)}\n`)
  return file
}

/** Starts `vds serve` on `options.dir` and resolves once GET /api/v1/health answers 200. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const spawned = await spawnServerProcess(options)
  try {
    await spawned.ready
  } catch (err) {
    await spawned.server.stop('SIGKILL')
    throw err
  }
  return spawned.server
}

/**
 * Starts `vds serve` without waiting; `ready` resolves on the first 200 from /api/v1/health.
 * For start-up timing, `spawnedAt` is taken just before spawn().
 */
export async function spawnServerProcess(options: ServerProcessOptions) {
  // A healthy start takes 1–5 s here; the budget is wide because on a shared 2-core machine at
  // load 10+ a start has been seen to take over 15 s, and a late start is not what these tests test.
  const { dir, startTimeoutMs = 45_000 } = options
  const port = await freePort()
  const apiKey = `vds-process-${randomBytes(12).toString('hex')}`
  const sections = mergeSections(baseConfig(dir, port, apiKey), options.config ?? {})
  const configFile = writeServerConfig(dir, sections)
  const dataDir = sections.storage?.data_dir ?? path.join(dir, 'data')
  const tlsEnabled = sections.tls?.enabled !== false

  const outputFile = path.join(dir, 'server.out')
  // A file, not a pipe: the server never blocks on a reader, and the parent spends no CPU draining it.
  const outputFd = openSync(outputFile, 'a')
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, BUILT_CLI, 'serve', '--config', configFile], {
    cwd: dir,
    env: withoutVdsOverrides(process.env),
    stdio: ['ignore', outputFd, outputFd],
  })
  closeSync(outputFd)
  running.add(child)
  child.once('exit', () => running.delete(child))

  let agent: http.Agent | undefined
  const server: ServerProcess = {
    child,
    pid: child.pid!,
    url: `${tlsEnabled ? 'https' : 'http'}://127.0.0.1:${port}`,
    ca: null,
    apiKey,
    dataDir,
    databaseFile: path.join(dataDir, DATABASE_FILE),
    configFile,
    request: (pathAndQuery, requestOptions = {}) => {
      agent ??= createAgent(server.url, server.ca, { keepAlive: true, maxSockets: 64 })
      const headers = { ...(requestOptions.auth === false ? {} : { 'x-api-key': apiKey }), ...requestOptions.headers }
      return httpRequest(`${server.url}${pathAndQuery}`, { ...requestOptions, headers, agent })
    },
    stop: async (signal = 'SIGTERM', timeoutMs = 10_000) => {
      agent?.destroy()
      agent = undefined
      return waitForExit(child, signal, timeoutMs)
    },
    output: () => tailOf(outputFile),
  }

  const ready = waitUntilHealthy(server, tlsEnabled, startTimeoutMs)
  // Spawn failures surface through `ready`; keep them from being reported as unhandled meanwhile.
  ready.catch(() => {})
  return { server, ready, spawnedAt }
}

/** The caller's VDS_* variables would override the temp config; keep them out. */
function withoutVdsOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('VDS_')))
}

async function waitUntilHealthy(server: ServerProcess, tlsEnabled: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const caFile = localCaPaths(server.dataDir).caCert
  let exited: ProcessExit | undefined
  server.child.once('exit', (code, signal) => (exited = { code, signal }))
  for (;;) {
    if (exited) throw new Error(`server exited (${JSON.stringify(exited)}) before it was healthy:\n${server.output()}`)
    if (Date.now() > deadline) throw new Error(`server not healthy after ${timeoutMs} ms:\n${server.output()}`)
    // The local CA is written before the server listens, so it exists once a connection succeeds.
    if (tlsEnabled && server.ca === null && existsSync(caFile)) server.ca = readFileSync(caFile, 'utf8')
    try {
      const health = await httpRequest(`${server.url}/api/v1/health`, { agent: false, ca: server.ca, timeoutMs: 2000 })
      if (health.status === 200) return
    } catch (err) {
      if (!isNotListeningYet(err)) throw err
    }
    await sleep(POLL_INTERVAL_MS)
  }
}

function isNotListeningYet(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  // A slow first answer (the first health check asks yt-dlp its version) on a busy machine is not a failure yet.
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || /timed out after/.test((err as Error).message)
}

/** A connection pool for `url` that trusts `ca` when it is HTTPS. */
export function createAgent(url: string, ca: string | null, poolOptions: http.AgentOptions = {}): http.Agent {
  if (url.startsWith('https:')) return new https.Agent({ ...poolOptions, ...(ca === null ? {} : { ca }) })
  return new http.Agent(poolOptions)
}

/** One request with node:http(s); rejects on connection errors and after `timeoutMs`. */
export function httpRequest(
  url: string,
  options: RequestOptions & { agent?: http.Agent | false; ca?: string | null } = {},
): Promise<HttpResponse> {
  const { method = 'GET', json, headers = {}, agent, ca, timeoutMs = 10_000 } = options
  const body = json === undefined ? undefined : JSON.stringify(json)
  const client = url.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method,
        agent,
        ...(ca ? { ca } : {}),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.once('error', reject)
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    request.once('timeout', () => request.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)))
    request.once('error', reject)
    request.end(body)
  })
}

async function waitForExit(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<ProcessExit> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode }
  const exit = new Promise<ProcessExit>((resolve) => child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    return await exit
  } finally {
    clearTimeout(timer)
  }
}

function tailOf(file: string): string {
  try {
    const text = readFileSync(file, 'utf8')
    return text.slice(-OUTPUT_TAIL_BYTES)
  } catch {
    return '(no output)'
  }
}
