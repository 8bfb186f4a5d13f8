// Starts the two peers the server is compared with (SPEC §7) as child processes on a temp folder:
// the floor (bench/peers/floor.js: Fastify + better-sqlite3) and the seed stack
// (bench/peers/seed_stack.py: FastAPI + uvicorn + sqlite3). Both serve HTTPS with a certificate made
// here with the server's key type (ECDSA P-256), so handshakes cost the same for all three.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { SERVE_NODE_FLAGS, freePort, httpRequest } from '../test/helpers/server-process.js'

const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url))
/** Debian's python3-fastapi and python3-uvicorn are installed for the system Python only. */
export const SYSTEM_PYTHON = '/usr/bin/python3'
const START_TIMEOUT_MS = 30_000

export interface PeerProcess {
  name: 'floor' | 'seed'
  pid: number
  /** e.g. https://127.0.0.1:40123 */
  url: string
  apiKey: string
  /** the peer's SQLite file */
  databaseFile: string
  /** a request with the API key, verifying the peer's certificate */
  request(pathAndQuery: string, options?: { method?: string; json?: unknown }): Promise<{ status: number; body: string }>
  stop(): Promise<void>
}

/** A self-signed ECDSA P-256 certificate for 127.0.0.1 in `dir`; openssl is part of every Debian. */
export function makeCertificate(dir: string): { keyFile: string; certFile: string } {
  const keyFile = path.join(dir, 'peer.key')
  const certFile = path.join(dir, 'peer.crt')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore', timeout: 30_000 })
  return { keyFile, certFile }
}

/** Starts the floor with the node flags `npm start` gives the server, so both run the same runtime. */
export function startFloor(dir: string): Promise<PeerProcess> {
  return startPeer('floor', dir, process.execPath, [...SERVE_NODE_FLAGS, path.join(PEERS_DIR, 'floor.js')], 'FLOOR')
}

export function startSeed(dir: string): Promise<PeerProcess> {
  return startPeer('seed', dir, SYSTEM_PYTHON, [path.join(PEERS_DIR, 'seed_stack.py')], 'SEED')
}

async function startPeer(name: PeerProcess['name'], dir: string, command: string, args: string[], prefix: string): Promise<PeerProcess> {
  const { keyFile, certFile } = makeCertificate(dir)
  const ca = readFileSync(certFile, 'utf8')
  const port = await freePort()
  const apiKey = `vds-peer-${randomBytes(12).toString('hex')}`
  const databaseFile = path.join(dir, `${name}.sqlite`)
  const outputFile = path.join(dir, `${name}.out`)
  // A file, not a pipe: uvicorn's access log must never block on this process reading it.
  const outputFd = openSync(outputFile, 'a')
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      [`${prefix}_PORT`]: String(port),
      [`${prefix}_KEY_FILE`]: keyFile,
      [`${prefix}_CERT_FILE`]: certFile,
      [`${prefix}_DB`]: databaseFile,
      [`${prefix}_API_KEY`]: apiKey,
    },
    stdio: ['ignore', outputFd, outputFd],
  })
  closeSync(outputFd)
  const url = `https://127.0.0.1:${port}`
  const peer: PeerProcess = {
    name,
    pid: child.pid!,
    url,
    apiKey,
    databaseFile,
    request: (pathAndQuery, options = {}) =>
      httpRequest(`${url}${pathAndQuery}`, { ...options, headers: { 'x-api-key': apiKey }, agent: false, ca }),
    stop: () => stopChild(child),
  }
  try {
    await waitForHealth(peer, child, outputFile)
  } catch (err) {
    await peer.stop()
    throw err
  }
  return peer
}

async function waitForHealth(peer: PeerProcess, child: ChildProcess, outputFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${peer.name} peer exited before it was healthy:\n${readFileSync(outputFile, 'utf8').slice(-4096)}`)
    }
    try {
      if ((await peer.request('/health')).status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${peer.name} peer not healthy after ${START_TIMEOUT_MS} ms`)
    await sleep(20)
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
