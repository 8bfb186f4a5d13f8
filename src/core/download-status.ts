// The statuses of a download (SPEC §2), in their own module so that both the row types and the
// shapes described by schemas (core/shapes) can name them without importing each other.
export const DownloadStatus = {
  pending: 'pending',
  downloading: 'downloading',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const
export type DownloadStatus = (typeof DownloadStatus)[keyof typeof DownloadStatus]
export const DOWNLOAD_STATUSES = Object.values(DownloadStatus)
