// One server per data folder. Two servers on one database would both claim jobs and run two
// yt-dlp processes per job, and crash recovery in the second would kill the first one's downloads.
// The lock is a pid file created with O_EXCL; a file whose process is gone is stale and taken over.
import { readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { isProcessAlive } from './process-tree.js'

export const LOCK_FILE = 'server.pid'

/** Releases the lock; safe to call more than once. */
export type ReleaseLock = () => void

/**
 * Takes the data folder for this process, or throws naming the process that has it.
 * Synchronous on purpose: it runs once at start-up, before anything else touches the folder.
 */
export function acquireInstanceLock(dataDir: string): ReleaseLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const lockFile = path.join(dataDir, LOCK_FILE)
  // Two attempts: the second follows the removal of a stale file. If another server starting at
  // the same moment wins that race, its live pid makes our second attempt fail with a clear message.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return () => releaseLock(lockFile)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = readHolder(lockFile)
    if (holder !== null && holder !== process.pid && isProcessAlive(holder)) {
      throw new Error(
        `Another Video Download Server (pid ${holder}) is using ${dataDir}; stop it first. ` +
          `If no server is running, delete ${lockFile}.`,
      )
    }
    try {
      unlinkSync(lockFile) // stale: its process is gone (or it is ours from before an in-process restart)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  throw new Error(`Could not take the lock ${lockFile}: another server is starting at the same time; try again.`)
}

function readHolder(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Removes the file only while it still names us: never delete a lock another server took over. */
function releaseLock(lockFile: string): void {
  if (readHolder(lockFile) !== process.pid) return
  try {
    unlinkSync(lockFile)
  } catch {
    // already gone
  }
}
