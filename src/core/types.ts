// Shared shapes, documented once. Row types keep the database's snake_case names.

import type { DownloadStatus } from './download-status.js'
import type { Progress } from './shapes.js'

export { DownloadStatus, DOWNLOAD_STATUSES } from './download-status.js'

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
  /** how often a crash (not a clean shutdown) cut this job's attempt short; see jobs/recovery.ts */
  interrupted_count: number
  /** why a pending job is not running now (see WaitingReason) */
  waiting_reason: WaitingReason | null
  /** what the post turned out to be, once completed */
  kind: DownloadKind | null
  /** which program made the files */
  downloader: DownloaderName | null
  /** id of the completed download whose files this one shares (same extractor + video id) */
  duplicate_of: string | null
  /** "<site>:<id>" when the submitted URL shows the site's video id; dedupe at submission */
  site_video_key: string | null
}

export const WaitingReason = {
  scheduled_retry: 'scheduled_retry',
  disk_low: 'disk_low',
  downloader_missing: 'downloader_missing',
  downloader_updating: 'downloader_updating',
  login_required: 'login_required',
} as const
export type WaitingReason = (typeof WaitingReason)[keyof typeof WaitingReason]

export const DownloadKind = { video: 'video', audio: 'audio', image: 'image', album: 'album' } as const
export type DownloadKind = (typeof DownloadKind)[keyof typeof DownloadKind]

export const DownloaderName = { ytdlp: 'yt-dlp', galleryDl: 'gallery-dl' } as const
export type DownloaderName = (typeof DownloaderName)[keyof typeof DownloaderName]

export type MediaType = 'video' | 'image' | 'audio'

/** One file of a download (table download_files), in the post's order. */
export interface DownloadFileRow {
  download_id: string
  /** 0-based position in the post; 0 is the top-level file */
  idx: number
  media: MediaType
  filename: string
  /** relative to storage.downloads_dir */
  file_path: string
  file_size: number
  content_type: string
  width: number | null
  height: number | null
  duration_seconds: number | null
}

/** A finished file as the downloader made it, before it has a place in download_files. */
export type NewDownloadFile = Omit<DownloadFileRow, 'download_id' | 'idx'>

/** Everything a successful attempt hands over: the post's facts and its files, in order. */
export interface CompletedDownload
  extends Pick<DownloadResult, 'title' | 'uploader' | 'duration_seconds' | 'thumbnail_url' | 'extractor' | 'video_id'> {
  downloader: DownloaderName
  /** at least one; files[0] becomes the top-level filename, file_path and file_size */
  files: NewDownloadFile[]
}

/** Live progress of a running attempt (the schema in core/shapes describes it). */
export type DownloadProgress = Progress

/** What yt-dlp told us about the video once it finished. */
export type DownloadResult = Pick<
  DownloadRow,
  'title' | 'uploader' | 'duration_seconds' | 'thumbnail_url' | 'extractor' | 'video_id'
> & {
  filename: string
  /** relative to storage.downloads_dir */
  file_path: string
  file_size: number
}

export const KeyScope = { submit: 'submit', admin: 'admin' } as const
export type KeyScope = (typeof KeyScope)[keyof typeof KeyScope]

/** The caller's name when security.require_api_key is off. */
export const ANONYMOUS_NAME = 'anonymous'

/** The caller, once authenticated. */
export interface Principal {
  /** key name; the default client_id */
  name: string
  scope: KeyScope
}
