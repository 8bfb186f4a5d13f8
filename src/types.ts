// Shared shapes, documented once. Row types keep the database's snake_case names.

export const DownloadStatus = {
  pending: 'pending',
  downloading: 'downloading',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const
export type DownloadStatus = (typeof DownloadStatus)[keyof typeof DownloadStatus]
export const DOWNLOAD_STATUSES = Object.values(DownloadStatus)

/** One stored link and everything learned while downloading it. */
export interface DownloadRow {
  /** UUID v4 handed to the client */
  id: string
  /** the URL as submitted (trimmed) */
  url: string
  /** URL without tracking parameters; the key for dedupe */
  normalized_url: string
  /** who sent it: client_id from the body, else the API key's name */
  client_id: string
  /** name of the API key that submitted it (null when keys are off) */
  api_key_name: string | null
  status: DownloadStatus
  /** when the link was shared on the phone, if the client said */
  shared_at: string | null
  submitted_at: string
  updated_at: string
  /** start of the current or last attempt */
  started_at: string | null
  completed_at: string | null
  /** attempts that failed transiently and were rescheduled */
  retry_count: number
  /** earliest time the next attempt may start (scheduled retry) */
  next_attempt_at: string | null
  /** the last error, written for a person */
  error_message: string | null
  /** stable code of the last error (see jobs/classify-error) */
  error_code: string | null
  progress_percent: number | null
  downloaded_bytes: number | null
  total_bytes: number | null
  speed_bps: number | null
  eta_seconds: number | null
  filename: string | null
  /** relative to storage.downloads_dir */
  file_path: string | null
  file_size: number | null
  title: string | null
  uploader: string | null
  duration_seconds: number | null
  thumbnail_url: string | null
  extractor: string | null
  video_id: string | null
  /** process id of the running yt-dlp, for crash recovery */
  worker_pid: number | null
}

/** Live progress of a running attempt. */
export interface DownloadProgress {
  percent: number | null
  downloaded_bytes: number | null
  total_bytes: number | null
  speed_bps: number | null
  eta_seconds: number | null
}

/** What yt-dlp told us about the video once it finished. */
export interface DownloadResult {
  filename: string
  file_path: string
  file_size: number
  title: string | null
  uploader: string | null
  duration_seconds: number | null
  thumbnail_url: string | null
  extractor: string | null
  video_id: string | null
}

export const KeyScope = { submit: 'submit', admin: 'admin' } as const
export type KeyScope = (typeof KeyScope)[keyof typeof KeyScope]

/** The caller, once authenticated. */
export interface Principal {
  /** key name; the default client_id */
  name: string
  scope: KeyScope
}
