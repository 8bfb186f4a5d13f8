// Start-up recovery after a crash (kill -9, power loss, OOM): jobs the database still calls
// `downloading` lost their worker. yt-dlp runs in its own process group, so it may have outlived
// the server and still be writing. Before such a job goes back to pending, every leftover yt-dlp
// for our downloads folder is stopped and the job's unfinished files are removed, so a job never
// has two processes. Run it after acquireInstanceLock and before the worker starts.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { JobsRepository } from '../db/jobs-repository.js'
import type { DownloadEvents } from '../core/events.js'
import { INCOMPLETE_DIR, removePartialFiles } from './output-paths.js'
import { findProcessesMentioning, stopProcessGroup, type ProcessInfo } from '../process/process-tree.js'

export interface RecoveryDeps {
  jobs: JobsRepository
  /** absolute downloads folder */
  downloadsDir: string
  log: Logger
  events?: DownloadEvents
  now?: () => Date
  /** SIGTERM → SIGKILL grace period */
  killGraceMs?: number
}

/** What recovery did, for the start-up log and tests. */
export interface RecoveryReport {
  /** jobs put back to pending */
  requeued: string[]
  /** process ids of leftover yt-dlp processes that were stopped */
  stopped_pids: number[]
}

/**
 * Stops leftover yt-dlp processes, removes unfinished files and puts interrupted jobs back to
 * pending (no retry counted: the job did not fail, the server did).
 */
export async function recoverInterruptedJobs(deps: RecoveryDeps): Promise<RecoveryReport> {
  const { jobs, downloadsDir } = deps
  const now = deps.now ?? (() => new Date())
  const stopped = await stopLeftoverDownloads(downloadsDir, deps.killGraceMs ?? 5_000)
  for (const leftover of stopped) {
    deps.log.warn({ pid: leftover.pid, command: leftover.command.slice(0, 300) }, 'stopped a yt-dlp left running by a previous server')
  }

  const requeued: string[] = []
  for (const row of jobs.listDownloading()) {
    await removePartialFiles(downloadsDir, row.id)
    const back = jobs.requeue(row.id, now().toISOString())
    if (!back) continue
    requeued.push(row.id)
    deps.events?.emit('status', { id: row.id, status: back.status, error_message: back.error_message })
    deps.log.info({ download_id: row.id, client_id: row.client_id, worker_pid: row.worker_pid }, 'interrupted download back to pending')
  }
  await removeOrphanWorkDirs(downloadsDir)
  return { requeued, stopped_pids: stopped.map((p) => p.pid) }
}

/**
 * Every yt-dlp we start names its work folder, <downloads>/.incomplete/<job id>, on its command
 * line. Finding processes by that path catches all leftovers for this downloads folder, including
 * one whose pid never reached the database, and never touches an unrelated process that reused a
 * recorded pid. We spawn yt-dlp as a group leader, so only leaders get their whole group stopped.
 */
async function stopLeftoverDownloads(downloadsDir: string, killGraceMs: number): Promise<ProcessInfo[]> {
  const marker = path.join(downloadsDir, INCOMPLETE_DIR) + path.sep
  const leftovers = (await findProcessesMentioning(marker)).filter((p) => p.pid !== process.pid)
  await Promise.all(
    leftovers.map(async (leftover) => {
      if (leftover.pgid === leftover.pid) return stopProcessGroup(leftover.pid, killGraceMs)
      if (leftovers.some((other) => other.pid === leftover.pgid)) return // its leader is being stopped
      try {
        process.kill(leftover.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }),
  )
  return leftovers
}

/** Work folders of jobs that are no longer running (nothing runs before the worker starts). */
async function removeOrphanWorkDirs(downloadsDir: string): Promise<void> {
  const entries = await readdir(path.join(downloadsDir, INCOMPLETE_DIR)).catch(() => [])
  await Promise.all(entries.map((jobId) => removePartialFiles(downloadsDir, jobId)))
}
