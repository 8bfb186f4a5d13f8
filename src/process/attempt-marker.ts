// Every process a download attempt starts carries VDS_ATTEMPT=<server id>:<job id>:<n> in its
// environment, and every process it starts inherits it: a child that called setsid (own session,
// own group) or was re-parented to init still has it. Stopping an attempt sweeps the machine for
// that value, so nothing the downloader started outlives it; recovery after a crash sweeps for
// this server's id only, so a second server sharing the downloads folder keeps its processes.
// Linux reads /proc/<pid>/environ; elsewhere (macOS) `ps -E` shows the environment of the
// processes we may signal, and the group and the children of a live leader are added.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { promisify } from 'node:util'
import { loadOrCreateSecret } from '../notify/secret-files.js'

const execFileAsync = promisify(execFile)

/** The environment variable that marks an attempt's processes. */
export const ATTEMPT_ENV = 'VDS_ATTEMPT'

/** The file in <data_dir> holding this server's id. */
export const SERVER_ID_FILE = 'server-id'

let attemptSeq = 0

/** This server's id: random once, then kept in <data_dir> so a restarted server knows its leftovers. */
export function loadOrCreateServerId(dataDir: string): string {
  return loadOrCreateSecret(dataDir, SERVER_ID_FILE, () => randomBytes(8).toString('hex'))
}

/** A fresh marker for one attempt of `jobId` (`label` for helper runs without a job). */
export function newAttemptMarker(serverId: string, jobId: string): string {
  attemptSeq += 1
  return `${serverId}:${jobId}:${Date.now().toString(36)}${attemptSeq}`
}

/** The marker prefix every attempt of this server carries (recovery sweeps for it). */
export function serverMarkerPrefix(serverId: string): string {
  return `${serverId}:`
}

/** A live process found by its marker. */
export interface MarkedProcess {
  pid: number
  /** the full VDS_ATTEMPT value */
  marker: string
}

/**
 * Live processes whose VDS_ATTEMPT equals `marker`, or starts with it when `prefix` is true.
 * Processes that cannot be read (another user's, or gone meanwhile) are skipped.
 */
export async function findMarkedProcesses(marker: string, options: { prefix?: boolean } = {}): Promise<MarkedProcess[]> {
  const all = process.platform === 'linux' ? await markedFromProc() : await markedFromPs()
  return all.filter((p) => p.pid !== process.pid && (options.prefix ? p.marker.startsWith(marker) : p.marker === marker))
}

async function markedFromProc(): Promise<MarkedProcess[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const found = await Promise.all(pids.map((name) => readMarker(Number(name))))
  return found.filter((p): p is MarkedProcess => p !== undefined)
}

const ENV_PREFIX = `${ATTEMPT_ENV}=`

async function readMarker(pid: number): Promise<MarkedProcess | undefined> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1')
    let at = 0
    if (!environ.startsWith(ENV_PREFIX)) {
      const inside = environ.indexOf(`\0${ENV_PREFIX}`)
      if (inside === -1) return undefined
      at = inside + 1
    }
    const end = environ.indexOf('\0', at)
    const marker = environ.slice(at + ENV_PREFIX.length, end === -1 ? undefined : end)
    // A zombie's environ reads empty, so it never gets here; a stopped or running one does.
    return { pid, marker }
  } catch {
    return undefined
  }
}

async function markedFromPs(): Promise<MarkedProcess[]> {
  try {
    const { stdout } = await execFileAsync('ps', ['-axwwE', '-o', 'pid=,stat=,command='], { maxBuffer: 64 * 1024 * 1024 })
    const found: MarkedProcess[] = []
    for (const line of stdout.split('\n')) {
      const match = /^\s*(\d+)\s+(\S+)\s+.*?\bVDS_ATTEMPT=(\S+)/.exec(line)
      if (match && !match[2]!.startsWith('Z')) found.push({ pid: Number(match[1]), marker: match[3]! })
    }
    return found
  } catch {
    return []
  }
}

/** Children of `pid` (macOS fallback, where a marker may not be readable): pgrep -P, walked down. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const found: number[] = []
  let frontier = [pid]
  for (let depth = 0; depth < 16 && frontier.length > 0; depth++) {
    const next: number[] = []
    for (const parent of frontier) {
      try {
        const { stdout } = await execFileAsync('pgrep', ['-P', String(parent)])
        next.push(...stdout.split('\n').filter(Boolean).map(Number))
      } catch {
        // no children (pgrep exits 1) or no pgrep
      }
    }
    found.push(...next)
    frontier = next
  }
  return found
}
