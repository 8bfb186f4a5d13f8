// The end of a successful attempt: the row and its files committed together, then the files this
// attempt made removed when they are not kept — the job was cancelled while its files were being
// finished, or it turned out to be a video that an earlier download already holds (duplicate_of).
import { rm, rmdir } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { DownloadEvents } from '../core/events.js'
import type { CompletedDownload, DownloadRow } from '../core/types.js'
import type { JobsRepository } from '../db/jobs-repository.js'

export interface CompletionDeps {
  jobs: Pick<JobsRepository, 'completeWithFiles'>
  events: DownloadEvents
  /** absolute downloads folder */
  downloadsDir: string
  /** the job's logger */
  log: Logger
}

/**
 * Completes the job with every file of the post (in order). Returns the completed row, or undefined
 * when the job was cancelled meanwhile (its files are then gone).
 */
export async function recordCompletion(id: string, done: CompletedDownload, now: string, deps: CompletionDeps): Promise<DownloadRow | undefined> {
  const outcome = await deps.jobs.completeWithFiles(id, done, now)
  if (!outcome) {
    await removeFiles(deps.downloadsDir, done.files.map((file) => file.file_path))
    deps.log.info('download finished after it was cancelled; files removed')
    return undefined
  }
  if (outcome.duplicateOf) {
    const kept = new Set(outcome.files.map((file) => file.file_path))
    await removeFiles(deps.downloadsDir, done.files.map((file) => file.file_path).filter((file) => !kept.has(file)))
    deps.log.info({ duplicate_of: outcome.duplicateOf.id }, 'same video as an earlier download; its files are used, this copy removed')
  }
  deps.events.emit('status', { id, status: outcome.row.status, error_message: null })
  return outcome.row
}

/** Removes files (relative to the downloads folder) and then their folders when left empty. */
export async function removeFiles(downloadsDir: string, relativePaths: readonly string[]): Promise<void> {
  const folders = new Set<string>()
  for (const relative of relativePaths) {
    await rm(path.join(downloadsDir, relative), { force: true })
    for (let folder = path.dirname(relative); folder !== '.' && folder !== path.sep; folder = path.dirname(folder)) {
      folders.add(folder)
    }
  }
  // Deepest first; rmdir refuses a folder that still holds anything, so only emptied ones go.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    await rmdir(path.join(downloadsDir, folder)).catch(() => {})
  }
}
