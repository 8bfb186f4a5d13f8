// What a file is, from its name: the Content-Type it is served with and whether it is a video,
// an image or a sound. The same table (mime's, as used by the file routes' sendFile) answers both,
// so the download object and the served file never disagree.
// mime (its table is ~1 MB) is loaded at the first lookup: the writer thread imports this file for
// downloads completed before v2 only, and it should not carry the table for nothing.
import type MimeTable from 'mime'
import { lazyModule } from './lazy-module.js'
import type { DownloadFileRow, DownloadRow, MediaType, NewDownloadFile } from './types.js'

const FALLBACK_CONTENT_TYPE = 'application/octet-stream'
const mime = lazyModule<typeof MimeTable>('mime')

/** Content-Type for a file name, by its extension; application/octet-stream when unknown. */
export function contentTypeFor(filename: string): string {
  return mime().getType(filename) ?? FALLBACK_CONTENT_TYPE
}

/**
 * The media of a file from its Content-Type. yt-dlp only writes videos and sounds, so anything that
 * is neither an image nor a sound (including unknown extensions) counts as a video.
 */
export function mediaFor(contentType: string): MediaType {
  if (contentType.startsWith('image/')) return 'image'
  if (contentType.startsWith('audio/')) return 'audio'
  return 'video'
}

/** A file known only by its name and size (yt-dlp's single result, downloads from before v2). */
export function describeFile(filename: string, filePath: string, fileSize: number, durationSeconds: number | null): NewDownloadFile {
  const contentType = contentTypeFor(filename)
  return {
    media: mediaFor(contentType),
    filename,
    file_path: filePath,
    file_size: fileSize,
    content_type: contentType,
    width: null,
    height: null,
    duration_seconds: durationSeconds,
  }
}

/**
 * The one file of a completed download whose files were not listed one by one (completed before
 * v2); [] when it has none.
 */
export function legacyFiles(row: DownloadRow): DownloadFileRow[] {
  if (!row.filename || !row.file_path) return []
  return [{ ...describeFile(row.filename, row.file_path, row.file_size ?? 0, row.duration_seconds), download_id: row.id, idx: 0 }]
}
