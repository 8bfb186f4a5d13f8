// Start-up recovery after a crash (kill -9, power loss, OOM): jobs the database still calls
// `downloading` lost their worker. A downloader runs in its own process group and may have
// outlived the server, still writing. Before such a job goes back to pending, every leftover
// process of this server's attempts is stopped — found by the VDS_ATTEMPT marker each of them
// inherited (process/attempt-marker.ts), so a second server sharing the downloads folder keeps its
// own — and the job's unfinished files are removed, so a job never has two processes.
// A job whose files were already placed when the server stopped (finished-journal.ts) is adopted:
// completed with those files, never downloaded again.
// Crash-loop guard: a job found interrupted MAX_INTERRUPTIONS times fails instead of running
// again, since it may be what brings the server down. Run after acquireInstanceLock and before
// the worker starts.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { JobsRepository } from '../db/jobs-repository.js'
import { DownloadEvents } from '../core/events.js'
import { INCOMPLETE_DIR, removePartialFiles } from './output-paths.js'
import { findMarkedProcesses, serverMarkerPrefix } from '../process/attempt-marker.js'
import { stopAttemptProcesses } from '../process/process-tree.js'
import type { DownloadRow } from '../core/types.js'
import { finishedFilesPresent, type FinishedJournal } from './finished-journal.js'
import { recordCompletion, removeFiles } from './record-completion.js'

export interface RecoveryDeps {
  jobs: JobsRepository
  /** absolute downloads folder */
  downloadsDir: string
  /** this server's id (attempt-marker.ts): only its attempts' processes are stopped */
  serverId: string
  log: Logger
  events?: DownloadEvents
  now?: () => Date
  /** SIGTERM → SIGKILL grace period */
  killGraceMs?: number
  /** interruptions after which a job fails instead of running again (default MAX_INTERRUPTIONS) */
  maxInterruptions?: number
  /**
   * Whether a work folder's job id is one of this server's downloads; another server sharing the
   * downloads folder keeps its work folders. Without it every orphan work folder is removed.
   */
  isOwnJob?: (id: string) => boolean
  /** finished posts whose completion was not written (finished-journal.ts); without it none is adopted */
  finished?: FinishedJournal
}

/** What recovery did, for the start-up log and tests. */
export interface RecoveryReport {
  /** jobs put back to pending */
  requeued: string[]
  /** jobs completed with the files a previous run had finished and placed */
  adopted: string[]
  /** jobs failed by the crash-loop guard */
  failed: string[]
  /** process ids of leftover downloader processes that were stopped */
  stopped_pids: number[]
}

/** A job interrupted by this many crashes is failed, not run a fourth time. */
export const MAX_INTERRUPTIONS = 3

/**
 * Stops leftover downloader processes, removes unfinished files and puts interrupted jobs back to
 * pending (no retry counted: the job did not fail, the server did), or fails them past the guard.
 */
export async function recoverInterruptedJobs(deps: RecoveryDeps): Promise<RecoveryReport> {
  const { jobs, downloadsDir } = deps
  const now = deps.now ?? (() => new Date())
  const maxInterruptions = deps.maxInterruptions ?? MAX_INTERRUPTIONS
  const stopped = await stopLeftoverAttempts(deps.serverId, deps.killGraceMs ?? 3_000)
  if (stopped.length > 0) deps.log.warn({ pids: stopped }, 'stopped downloader processes left running by a previous run of this server')

  const report: RecoveryReport = { requeued: [], adopted: [], failed: [], stopped_pids: stopped }
  const downloading = jobs.listDownloading()
  for (const row of downloading) {
    await removePartialFiles(downloadsDir, row.id)
    const log = deps.log.child({ download_id: row.id, client_id: row.client_id })
    if (await adoptFinished(row, deps, log, now)) {
      report.adopted.push(row.id)
      continue
    }
    if (row.interrupted_count + 1 >= maxInterruptions) {
      const failed = await jobs.fail(row.id, crashLoopError(row.interrupted_count + 1), now().toISOString())
      if (!failed) continue
      report.failed.push(row.id)
      deps.events?.emit('status', { id: row.id, status: failed.status, error_message: failed.error_message })
      log.error({ interruptions: row.interrupted_count + 1 }, 'the server stopped during this download again and again; failed instead of retried')
      continue
    }
    const back = await jobs.requeueAfterCrash(row.id, now().toISOString())
    if (!back) continue
    report.requeued.push(row.id)
    deps.events?.emit('status', { id: row.id, status: back.status, error_message: back.error_message })
    log.info({ worker_pid: row.worker_pid, interruptions: back.interrupted_count }, 'interrupted download back to pending')
  }
  await removeOrphanWorkDirs(downloadsDir, deps.isOwnJob ?? (() => true))
  await forgetStaleRecords(deps.finished, new Set(downloading.map((row) => row.id)))
  return report
}

/**
 * Completes the job with the files its last attempt finished and placed, when they are all still
 * there as recorded; a record that no longer matches is dropped with the files it names (this
 * job's alone: placing reserves every name exclusively), and the job runs again.
 */
async function adoptFinished(row: DownloadRow, deps: RecoveryDeps, log: Logger, now: () => Date): Promise<boolean> {
  const done = await deps.finished?.read(row.id)
  if (done === undefined) return false
  const { jobs, downloadsDir } = deps
  if (!(await finishedFilesPresent(downloadsDir, done))) {
    await removeFiles(downloadsDir, done.files.map((file) => file.file_path))
    await deps.finished!.forget(row.id)
    log.warn('the files a previous run finished for this download are gone or changed; it is downloaded again')
    return false
  }
  const events = deps.events ?? new DownloadEvents()
  const completed = await recordCompletion(row.id, done, now().toISOString(), { jobs, events, downloadsDir, log })
  await deps.finished!.forget(row.id)
  if (completed) log.info({ files: done.files.length, file_path: done.files[0]!.file_path }, 'adopted the files a previous run finished; not downloaded again')
  return completed !== undefined
}

/** Records of jobs that are not downloading: their completion was written before the record went. */
async function forgetStaleRecords(finished: FinishedJournal | undefined, downloading: ReadonlySet<string>): Promise<void> {
  if (!finished) return
  for (const id of await finished.ids()) if (!downloading.has(id)) await finished.forget(id)
}

function crashLoopError(interruptions: number) {
  return {
    code: 'downloader_failed',
    message: `The server stopped ${interruptions} times while downloading this link, so it is not tried again by itself: it may be what brings the server down. Check the server log; retry it by hand once the cause is fixed.`,
  }
}

/** Stops every process carrying one of this server's attempt markers; returns their pids. */
async function stopLeftoverAttempts(serverId: string, killGraceMs: number): Promise<number[]> {
  const leftovers = await findMarkedProcesses(serverMarkerPrefix(serverId), { prefix: true })
  const markers = new Set(leftovers.map((p) => p.marker))
  await Promise.all([...markers].map((marker) => stopAttemptProcesses({ marker }, killGraceMs)))
  return leftovers.map((p) => p.pid)
}

/** Work folders of jobs that are no longer running (nothing runs before the worker starts). */
async function removeOrphanWorkDirs(downloadsDir: string, isOwnJob: (id: string) => boolean): Promise<void> {
  const entries = await readdir(path.join(downloadsDir, INCOMPLETE_DIR)).catch(() => [])
  await Promise.all(entries.filter((jobId) => isOwnJob(jobId)).map((jobId) => removePartialFiles(downloadsDir, jobId)))
}
