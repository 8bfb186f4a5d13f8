// What a user can do to one download: cancel it, retry it, delete it. Each action changes the
// row through the repositories, tells listeners through DownloadEvents, and asks the worker to
// stop or schedule attempts; the routes only validate and reply.
import { readdir, rm, rmdir } from 'node:fs/promises'
import path from 'node:path'
import type { DownloadEvents } from '../core/events.js'
import type { DownloadRow } from '../core/types.js'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { DownloadFilesRepository } from '../db/download-files-repository.js'
import type { JobsRepository } from '../db/jobs-repository.js'
import { confineToDownloads, removePartialFiles } from './output-paths.js'

/** Why an action changed nothing (404 or 409 for the route). */
export type ActionRefusal = { ok: false; reason: 'not_found' | 'invalid_state' }

/** Answer to cancel and retry: the updated row, or why nothing changed. */
export type JobActionResult = { ok: true; row: DownloadRow } | ActionRefusal

/** Answer to delete: whether the finished files went too. */
export type DeleteResult = { ok: true; fileDeleted: boolean } | ActionRefusal

/** The part of the worker the actions drive: stop a running attempt, look at the queue again. */
export interface AttemptControl {
  /** stops the job's running attempt (if any) and resolves once its process tree is gone; false if none ran */
  stopAttempt(id: string, reason: 'cancel'): Promise<boolean>
  /** looks for work now (a job became pending) */
  wake(): void
}

export interface DownloadActionsDeps {
  jobs: JobsRepository
  downloads: DownloadsRepository
  /** the download's files, and whether another download (a duplicate) still lists one */
  files: Pick<DownloadFilesRepository, 'filesOf' | 'otherDownloadsUsing'>
  events: DownloadEvents
  worker: AttemptControl
  /** absolute downloads folder */
  downloadsDir: string
  now?: () => Date
}

export function createDownloadActions(deps: DownloadActionsDeps) {
  const { jobs, downloads, files, events, worker, downloadsDir } = deps
  const nowIso = () => (deps.now?.() ?? new Date()).toISOString()
  const refusal = (id: string): ActionRefusal => ({ ok: false, reason: downloads.findById(id) ? 'invalid_state' : 'not_found' })

  return {
    /** pending | downloading → cancelled; resolves once the process tree and partial files are gone. */
    async cancel(id: string): Promise<JobActionResult> {
      const row = await jobs.cancel(id, nowIso())
      if (!row) return refusal(id)
      events.emit('status', { id, status: row.status, error_message: null })
      // A running attempt removes its own work folder when it stops.
      if (!(await worker.stopAttempt(id, 'cancel'))) await removePartialFiles(downloadsDir, id)
      return { ok: true, row }
    },

    /** failed | cancelled → pending (with a fresh retry budget), and wakes the queue. */
    async retry(id: string): Promise<JobActionResult> {
      const row = await jobs.retry(id, nowIso())
      if (!row) return refusal(id)
      events.emit('status', { id, status: row.status, error_message: null })
      worker.wake()
      return { ok: true, row }
    },

    /**
     * Forgets a download that is not running; with deleteFile its files go too — every file of an
     * album — except those another download still lists (a duplicate shares its original's files).
     */
    async delete(id: string, options: { deleteFile: boolean }): Promise<DeleteResult> {
      const row = downloads.findById(id)
      if (!row) return { ok: false, reason: 'not_found' }
      if (row.status === 'downloading') return { ok: false, reason: 'invalid_state' }
      const doomed = options.deleteFile ? files.filesOf(row).filter((file) => files.otherDownloadsUsing(file.file_path, id) === 0) : []
      if (!(await downloads.deleteById(id))) return { ok: false, reason: 'not_found' }
      const fileDeleted = await removeFiles(downloadsDir, doomed.map((file) => file.file_path))
      events.emit('status', { id, status: null })
      return { ok: true, fileDeleted }
    },
  }
}

/**
 * Removes files (relative to the downloads folder) — only regular files inside it — and then an
 * album's folder when that is left empty. True when at least one file went.
 */
async function removeFiles(downloadsDir: string, relativePaths: readonly string[]): Promise<boolean> {
  let removed = false
  const folders = new Set<string>()
  for (const relativePath of relativePaths) {
    const relative = await confineToDownloads(downloadsDir, relativePath).catch(() => undefined)
    if (relative === undefined) continue
    await rm(path.join(downloadsDir, relative), { force: true })
    await removeKeptOriginals(path.join(downloadsDir, relative))
    removed = true
    if (path.dirname(relative) !== '.') folders.add(path.dirname(relative))
  }
  // rmdir refuses a folder that still holds anything (a kept original, a file of another download).
  for (const folder of folders) await rmdir(path.join(downloadsDir, folder)).catch(() => {})
  return removed
}

/** downloads.keep_original left "<name>.original.<ext>" (or "<name>.original (2).<ext>") beside the file. */
async function removeKeptOriginals(file: string): Promise<void> {
  const stem = `${path.basename(file, path.extname(file))}.original`
  const names = await readdir(path.dirname(file)).catch(() => [])
  for (const name of names) {
    if (name.startsWith(`${stem}.`) || name.startsWith(`${stem} (`)) await rm(path.join(path.dirname(file), name), { force: true })
  }
}

export type DownloadActions = ReturnType<typeof createDownloadActions>
