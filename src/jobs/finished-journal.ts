// Finished files whose completion is not in the database yet. Between placing a post's files and
// committing its completion, the server can be killed, or the database can refuse the write until
// shutdown gives it up (deferred-writes.ts). The row then still says `downloading`, and without a
// record the restart would download the post again and leave the placed files as nobody's. So the
// completion is written here first, durably (fsync'd), one file per job in <data_dir>/finished/,
// and removed once the database holds it; recovery adopts what it finds (adoptFinished).
// The data folder, not the downloads folder: it is this server's alone (instance lock), while a
// downloads folder may be shared with another server.
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { CompletedDownload } from '../core/types.js'
import { confineToDownloads } from './output-paths.js'

/** Folder in storage.data_dir holding one `<download id>.json` per finished, unrecorded job. */
export const FINISHED_DIR = 'finished'

export interface FinishedJournal {
  /** Records the job's completion durably; resolves once it is on disk. */
  keep(id: string, done: CompletedDownload): Promise<void>
  /** Forgets the job's record (its completion is in the database, or it was given up). */
  forget(id: string): Promise<void>
  /** The recorded completion, or undefined when there is none or it cannot be read. */
  read(id: string): Promise<CompletedDownload | undefined>
  /** Every job id with a record. */
  ids(): Promise<string[]>
}

/** Download ids are UUIDs; anything else in the folder is not ours to read as a record. */
const RECORD_NAME = /^([0-9a-f-]{36})\.json$/

export function createFinishedJournal(dataDir: string): FinishedJournal {
  const dir = path.join(dataDir, FINISHED_DIR)
  const fileOf = (id: string) => path.join(dir, `${id}.json`)
  return {
    async keep(id, done) {
      await mkdir(dir, { recursive: true })
      const temp = `${fileOf(id)}.tmp`
      const handle = await open(temp, 'w', 0o600)
      try {
        await handle.writeFile(JSON.stringify(done))
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, fileOf(id))
      // The rename is durable only once the folder is synced too.
      const folder = await open(dir, 'r')
      try {
        await folder.sync()
      } finally {
        await folder.close()
      }
    },
    async forget(id) {
      await rm(fileOf(id), { force: true })
    },
    async read(id) {
      try {
        const done = JSON.parse(await readFile(fileOf(id), 'utf8')) as CompletedDownload
        return Array.isArray(done.files) && done.files.length > 0 ? done : undefined
      } catch {
        return undefined // half-written by a crash before its rename cannot happen; unreadable is no record
      }
    },
    async ids() {
      const names = await readdir(dir).catch(() => [] as string[])
      return names.flatMap((name) => RECORD_NAME.exec(name)?.[1] ?? [])
    },
  }
}

/**
 * Whether every file of a recorded completion is still where it was placed: a regular file inside
 * the downloads folder at its recorded path, with its recorded size. Only then is it adopted.
 */
export async function finishedFilesPresent(downloadsDir: string, done: CompletedDownload): Promise<boolean> {
  for (const file of done.files) {
    const relative = await confineToDownloads(downloadsDir, file.file_path).catch(() => undefined)
    if (relative !== file.file_path) return false
    const info = await stat(path.join(downloadsDir, relative)).catch(() => undefined)
    if (info?.size !== file.file_size) return false
  }
  return true
}

