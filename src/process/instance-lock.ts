// One server per data folder. Two servers on one database would both claim jobs and run two
// yt-dlp processes per job, and crash recovery in the second would kill the first one's downloads.
// The lock is a pid file created with O_EXCL; a file whose process is gone is stale and taken over.
// It also names the boot it was written in: after a power cut the old pid may belong to some other
// process by now, and a server that refused to start after every reboot would not run unattended.
import { readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
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
      writeFileSync(lockFile, `${process.pid}\n${currentBoot()}\n`, { flag: 'wx', mode: 0o600 })
      return () => releaseLock(lockFile)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = readHolder(lockFile)
    if (holder !== null && holder !== process.pid && holdsLock(lockFile, holder)) {
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

/**
 * This boot: Linux's boot_id; elsewhere the boot time in whole minutes (clocks of machines without
 * a boot_id have a real-time clock, so it does not jump after boot the way a Raspberry Pi's does).
 */
export function currentBoot(): string {
  try {
    return `boot_id:${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`
  } catch {
    return `boot_minute:${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`
  }
}

/** The holder is alive and the file was written in this boot (files without a boot: pid only). */
function holdsLock(lockFile: string, holder: number): boolean {
  if (!isProcessAlive(holder)) return false
  const boot = readFileSync(lockFile, 'utf8').split('\n')[1]?.trim()
  return !boot || boot === currentBoot()
}

function readHolder(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').split('\n')[0]!.trim(), 10)
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
