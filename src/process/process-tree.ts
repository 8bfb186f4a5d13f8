// Finding and stopping downloader process trees. A downloader is spawned as the leader of its own
// process group, so signalling the group (-pid) reaches the ffmpeg it starts for merging; what left
// the group (setsid, re-parenting) is found by its attempt marker (attempt-marker.ts).
// Zombies count as gone: once dead, a process cannot write another byte, and a process whose parent
// died waits for init to reap it, which some container inits never do.
import { execFile } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { promisify } from 'node:util'
import { descendantsOf, findMarkedProcesses } from './attempt-marker.js'

const execFileAsync = promisify(execFile)

/** One running process, as far as stopping it is concerned. */
export interface ProcessInfo {
  pid: number
  /** process group id: equal to pid for a group leader */
  pgid: number
  /** the command line, arguments joined with spaces */
  command: string
  zombie: boolean
}

const POLL_MS = 50
/** After SIGKILL the kernel needs only moments; waiting longer would hide a real problem. */
const AFTER_KILL_WAIT_MS = 2_000

/** Every process on the machine (Linux: /proc; elsewhere: ps). */
export async function listProcesses(): Promise<ProcessInfo[]> {
  if (process.platform === 'linux') return listFromProc()
  const { stdout } = await execFileAsync('ps', ['-ww', '-axo', 'pid=,pgid=,stat=,command='], { maxBuffer: 16 * 1024 * 1024 })
  const processes: ProcessInfo[] = []
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line)
    if (match) {
      processes.push({ pid: Number(match[1]), pgid: Number(match[2]), zombie: match[3]!.startsWith('Z'), command: match[4]! })
    }
  }
  return processes
}

async function listFromProc(): Promise<ProcessInfo[]> {
  const entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const found = await Promise.all(entries.map((name) => readProcEntry(Number(name))))
  return found.filter((info): info is ProcessInfo => info !== undefined)
}

async function readProcEntry(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ])
    // The command name in parentheses may itself contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { pid, pgid: Number(fields[2]), zombie: fields[0] === 'Z', command: cmdline.split('\0').join(' ').trim() }
  } catch {
    return undefined // exited while we looked
  }
}

/** Live (non-zombie) processes whose command line contains `text`. */
export async function findProcessesMentioning(text: string): Promise<ProcessInfo[]> {
  return (await listProcesses()).filter((p) => !p.zombie && p.command.includes(text))
}

/** True while any live process is in the group. */
export async function isProcessGroupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return (await listProcesses()).some((p) => p.pgid === pgid && !p.zombie)
}

/** True when `pid` exists (possibly owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Sends SIGTERM to the process group, waits up to `graceMs` for it to exit, then SIGKILL.
 * Resolves once no live process is left in the group (or after a bounded wait following SIGKILL).
 */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return
  if (await waitForGroupExit(pgid, graceMs)) return
  if (!signalGroup(pgid, 'SIGKILL')) return
  await waitForGroupExit(pgid, AFTER_KILL_WAIT_MS)
}

/** False when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!(await isProcessGroupAlive(pgid))) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** What one attempt's processes are known by. */
export interface AttemptProcesses {
  /** VDS_ATTEMPT value every process of the attempt inherited */
  marker: string
  /** the leader's pid, which is also its process group id (spawned detached) */
  pgid?: number | undefined
}

/**
 * Stops every process of an attempt: its group, and every process on the machine carrying its
 * marker (children that called setsid, re-parented descendants). SIGTERM first, SIGKILL after
 * `graceMs` to whatever is left, and sweeps again until nothing carries the marker, so a process
 * forked during the stop is caught too. Resolves when all are gone or after a bounded wait.
 */
export async function stopAttemptProcesses(target: AttemptProcesses, graceMs: number): Promise<void> {
  const live = () => attemptPids(target)
  let pids = await live()
  if (pids.length === 0 && !(target.pgid !== undefined && (await isProcessGroupAlive(target.pgid)))) return
  signalAll(target, pids, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    await sleep(POLL_MS)
    pids = await live()
    if (pids.length === 0 && !(target.pgid !== undefined && (await isProcessGroupAlive(target.pgid)))) return
  }
  const killDeadline = Date.now() + AFTER_KILL_WAIT_MS
  for (;;) {
    signalAll(target, pids, 'SIGKILL')
    await sleep(POLL_MS)
    pids = await live()
    const groupAlive = target.pgid !== undefined && (await isProcessGroupAlive(target.pgid))
    if ((pids.length === 0 && !groupAlive) || Date.now() >= killDeadline) return
  }
}

async function attemptPids(target: AttemptProcesses): Promise<number[]> {
  const pids = new Set((await findMarkedProcesses(target.marker)).map((p) => p.pid))
  // Where markers cannot be read (some macOS set-ups), the leader's descendants are the fallback.
  if (process.platform !== 'linux' && target.pgid !== undefined && isProcessAlive(target.pgid)) {
    for (const pid of await descendantsOf(target.pgid)) pids.add(pid)
  }
  return [...pids]
}

function signalAll(target: AttemptProcesses, pids: number[], signal: NodeJS.Signals): void {
  if (target.pgid !== undefined) {
    try {
      process.kill(-target.pgid, signal)
    } catch {
      // the group is gone
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // gone meanwhile
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
