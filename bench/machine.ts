// What the figures were measured on, printed above the table and stored with the results.
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import Database from 'better-sqlite3'

export interface MachineInfo {
  cpus: number
  cpu_model: string
  memory_gb: number
  os: string
  node: string
  sqlite: string
  ytdlp: string
  wrk: string
  /** file system of the temp dir that holds the benchmark databases: fsync cost depends on it */
  temp_filesystem: string
  /** 1-minute load averages at the start and end of the run: other work on the machine skews the figures */
  load_average_1m: { start: number; end: number | null }
}

export const loadAverage1m = () => Math.round(os.loadavg()[0]! * 100) / 100

export function describeMachine(): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    sqlite: sqliteVersion(),
    ytdlp: commandOutput('yt-dlp', ['--version']),
    wrk: commandOutput('wrk', ['--version']).split(' ').slice(0, 2).join(' '),
    temp_filesystem: commandOutput('df', ['--output=fstype', os.tmpdir()]).split('\n').pop() ?? 'unknown',
    load_average_1m: { start: loadAverage1m(), end: null },
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:')
  try {
    return db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()!.v
  } finally {
    db.close()
  }
}

/** First line of a command's output, or "not found"; `wrk --version` exits 1 after printing. */
function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim()
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout?.trim()
    return stdout ? stdout.split('\n')[0]! : 'not found'
  }
}
