// The download object of SPEC §2, built from a row. Absent facts are null.
import type { DownloadRow } from '../core/types.js'
import type { Download } from './schemas.js'

export function fileUrl(id: string, publicUrl: string | null): string {
  return `${publicUrl?.replace(/\/+$/, '') ?? ''}/api/v1/downloads/${id}/file`
}

export function toDownloadView(row: DownloadRow, publicUrl: string | null): Download {
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
    error_message: row.error_message,
    progress: {
      percent: row.progress_percent,
      downloaded_bytes: row.downloaded_bytes,
      total_bytes: row.total_bytes,
      speed_bps: row.speed_bps,
      eta_seconds: row.eta_seconds,
    },
    filename: row.filename,
    file_path: row.file_path,
    file_size: row.file_size,
    file_url: row.status === 'completed' && row.file_path ? fileUrl(row.id, publicUrl) : null,
    title: row.title,
    uploader: row.uploader,
    duration_seconds: row.duration_seconds,
    thumbnail_url: row.thumbnail_url,
    extractor: row.extractor,
    video_id: row.video_id,
  }
}
