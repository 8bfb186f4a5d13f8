// The machine-readable lines we ask yt-dlp to print, and their parsers. Both templates work with
// yt-dlp 2023.03.04 (Debian 12) and current releases: --progress-template and --print WHEN:TEMPLATE
// exist since 2021, and the %(.{a,b})j dictionary template since 2021.10.

import type { DownloadProgress } from '../../core/types.js'

export const PROGRESS_MARKER = '[vds-progress]'
export const RESULT_MARKER = '[vds-result]'

/** Missing fields print as "NA"; the parser maps them to null. */
export const PROGRESS_TEMPLATE =
  `download:${PROGRESS_MARKER} %(progress.downloaded_bytes)s %(progress.total_bytes)s ` +
  `%(progress.total_bytes_estimate)s %(progress.speed)s %(progress.eta)s %(info.playlist_index)s %(info.n_entries)s`

/** Printed once the file is in its final place; keys yt-dlp does not know are left out of the JSON. */
export const RESULT_TEMPLATE =
  `after_move:${RESULT_MARKER} %(.{filepath,title,uploader,duration,thumbnail,extractor,id,` +
  `playlist_id,playlist_title,playlist_uploader,upload_date,width,height})j`

/** What yt-dlp reported about the finished file (paths as yt-dlp wrote them). */
export interface YtDlpResultLine {
  filepath: string
  title: string | null
  uploader: string | null
  duration: number | null
  thumbnail: string | null
  extractor: string | null
  id: string | null
  /** set when the file is one entry of a post with several (an album) */
  playlist_id: string | null
  playlist_title: string | null
  playlist_uploader: string | null
  /** YYYYMMDD */
  upload_date: string | null
  width: number | null
  height: number | null
}

/** Which entry of a post a progress line is about (1-based), when the post has several. */
export interface ProgressEntry {
  index: number
  count: number
}

/** Parses a progress line; undefined when the line is something else. */
export function parseProgressLine(line: string): DownloadProgress | undefined {
  // Only at the start of the line: a video title containing the marker must not count.
  const start = line.startsWith(PROGRESS_MARKER) ? 0 : -1
  if (start === -1) return undefined
  const fields = line.slice(start + PROGRESS_MARKER.length).trim().split(/\s+/)
  if (fields.length < 5) return undefined
  const [downloaded = null, total = null, estimate = null, speed = null, eta = null] = fields.map(toNumber)
  const knownTotal = total ?? estimate
  const downloadedBytes = downloaded === null ? null : Math.round(downloaded)
  let percent: number | null = null
  if (downloadedBytes !== null && knownTotal !== null && knownTotal > 0) {
    percent = Math.min(100, Math.round((downloadedBytes / knownTotal) * 1000) / 10)
  }
  return {
    percent,
    downloaded_bytes: downloadedBytes,
    total_bytes: knownTotal === null ? null : Math.round(knownTotal),
    speed_bps: speed === null ? null : Math.round(speed),
    eta_seconds: eta === null ? null : Math.round(eta),
  }
}

/** Parses the after-move line; undefined when the line is something else or malformed. */
export function parseResultLine(line: string): YtDlpResultLine | undefined {
  const start = line.startsWith(RESULT_MARKER) ? 0 : -1
  if (start === -1) return undefined
  let data: unknown
  try {
    data = JSON.parse(line.slice(start + RESULT_MARKER.length))
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null) return undefined
  const fields = data as Record<string, unknown>
  if (typeof fields.filepath !== 'string' || fields.filepath === '') return undefined
  return {
    filepath: fields.filepath,
    title: asString(fields.title),
    uploader: asString(fields.uploader),
    duration: typeof fields.duration === 'number' && Number.isFinite(fields.duration) ? fields.duration : null,
    thumbnail: asString(fields.thumbnail),
    extractor: asString(fields.extractor),
    id: asString(fields.id),
    playlist_id: asString(fields.playlist_id),
    playlist_title: asString(fields.playlist_title),
    playlist_uploader: asString(fields.playlist_uploader),
    upload_date: asString(fields.upload_date),
    width: positiveInteger(fields.width),
    height: positiveInteger(fields.height),
  }
}

/** The entry a progress line is about; undefined for a single video or another line. */
export function parseProgressEntry(line: string): ProgressEntry | undefined {
  if (!line.startsWith(PROGRESS_MARKER)) return undefined
  const [index, count] = line.slice(PROGRESS_MARKER.length).trim().split(/\s+/).slice(5).map(toNumber)
  if (index === null || index === undefined || count === null || count === undefined || count < 2) return undefined
  return { index: Math.max(1, Math.min(index, count)), count }
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null
}

function toNumber(field: string | undefined): number | null {
  if (field === undefined || field === 'NA' || field === 'None') return null
  const value = Number(field)
  return Number.isFinite(value) && value >= 0 ? value : null
}

function asString(value: unknown): string | null {
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' && value !== '' ? value : null
}
