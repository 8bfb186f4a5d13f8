// The files of each download (table download_files), read for the download object and the file
// routes. Written only inside the completion transaction (jobs-repository.ts), so a completed row
// and its files always appear together.
import type { Db } from './open.js'
import type { DownloadFileRow, DownloadRow } from '../core/types.js'
import { legacyFiles } from '../core/media-types.js'

export function createDownloadFilesRepository(db: Db) {
  const statements = {
    ofDownload: db.prepare<[string], DownloadFileRow>('SELECT * FROM download_files WHERE download_id = ? ORDER BY idx'),
    // One statement for a page of history: the ids come in as a JSON array.
    ofDownloads: db.prepare<[string], DownloadFileRow>(`
      SELECT * FROM download_files WHERE download_id IN (SELECT value FROM json_each(?)) ORDER BY download_id, idx`),
    one: db.prepare<[string, number], DownloadFileRow>('SELECT * FROM download_files WHERE download_id = ? AND idx = ?'),
    otherUsers: db
      .prepare<[string, string], number>(
        `SELECT count(*) FROM download_files WHERE file_path = ? AND download_id <> ?`,
      )
      .pluck(),
  }

  return {
    /** The files of a download in the post's order; [] until it completes. */
    filesOf(row: DownloadRow): DownloadFileRow[] {
      if (row.status !== 'completed') return []
      const files = statements.ofDownload.all(row.id)
      return files.length > 0 ? files : legacyFiles(row)
    },

    /** filesOf for many rows at once (a history page), keyed by download id. */
    filesOfMany(rows: readonly DownloadRow[]): Map<string, DownloadFileRow[]> {
      const completed = rows.filter((row) => row.status === 'completed')
      const byId = new Map<string, DownloadFileRow[]>(rows.map((row) => [row.id, []]))
      if (completed.length === 0) return byId
      for (const file of statements.ofDownloads.all(JSON.stringify(completed.map((row) => row.id)))) {
        byId.get(file.download_id)?.push(file)
      }
      for (const row of completed) {
        if (byId.get(row.id)?.length === 0) byId.set(row.id, legacyFiles(row))
      }
      return byId
    },

    /** One file of a completed download by its index, or undefined. */
    fileOf(row: DownloadRow, index: number): DownloadFileRow | undefined {
      if (row.status !== 'completed') return undefined
      return statements.one.get(row.id, index) ?? legacyFiles(row)[index]
    },

    /** How many other downloads list this file (a duplicate shares its original's files). */
    otherDownloadsUsing(filePath: string, downloadId: string): number {
      return statements.otherUsers.get(filePath, downloadId)!
    },
  }
}

export type DownloadFilesRepository = ReturnType<typeof createDownloadFilesRepository>
