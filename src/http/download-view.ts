// The download object of SPEC §2, built from a row and its files. Absent facts are null, `files`
// is [] until the download completes, and the top-level file fields are those of files[0].
import type { DownloadFileRow, DownloadRow } from '../core/types.js'
import type { Download, DownloadFile } from './schemas.js'

/** The link of one file for whoever reads this view (signed, for a key); null when there is none. */
export type FileLinker = (file: DownloadFileRow) => string | null

/** The key-protected path of one file, e.g. /api/v1/downloads/<id>/files/0. */
export function filePath(downloadId: string, index: number): string {
  return `/api/v1/downloads/${downloadId}/files/${index}`
}

export function toFileView(file: DownloadFileRow, linkFor: FileLinker): DownloadFile {
  return {
    index: file.idx,
    media: file.media,
    filename: file.filename,
    file_path: file.file_path,
    file_size: file.file_size,
    content_type: file.content_type,
    width: file.width,
    height: file.height,
    duration_seconds: file.duration_seconds,
    file_url: linkFor(file),
  }
}

export function toDownloadView(row: DownloadRow, files: readonly DownloadFileRow[], linkFor: FileLinker): Download {
  const fileViews = files.map((file) => toFileView(file, linkFor))
  const first = fileViews[0]
  return {
    download_id: row.id,
    url: row.url,
    client_id: row.client_id,
    status: row.status,
    submitted_at: row.submitted_at,
    updated_at: row.updated_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    retry_count: row.retry_count,
    next_attempt_at: row.next_attempt_at,
    error_code: row.error_code,
    error_message: row.error_message,
    waiting_reason: row.waiting_reason,
    progress: {
      percent: row.progress_percent,
      downloaded_bytes: row.downloaded_bytes,
      total_bytes: row.total_bytes,
      speed_bps: row.speed_bps,
      eta_seconds: row.eta_seconds,
    },
    kind: row.status === 'completed' ? (row.kind ?? first?.media ?? null) : null,
    files: fileViews,
    filename: first?.filename ?? row.filename,
    file_path: first?.file_path ?? row.file_path,
    file_size: first?.file_size ?? row.file_size,
    file_url: first?.file_url ?? null,
    title: row.title,
    uploader: row.uploader,
    duration_seconds: row.duration_seconds,
    thumbnail_url: row.thumbnail_url,
    extractor: row.extractor,
    video_id: row.video_id,
    downloader: row.downloader,
    duplicate_of: row.duplicate_of,
  }
}
