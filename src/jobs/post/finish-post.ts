// From downloaded entries to the download's files: each one made iPhone-ready and tagged
// (media/finish-file.ts), then all of them moved to where storage.path_template says — one file as
// "<name>.<ext>", an album as "<name>/01.<ext>", "02.<ext>", ... — never over another file.
import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../../core/config.js'
import { contentTypeFor } from '../../core/media-types.js'
import type { CompletedDownload, NewDownloadFile } from '../../core/types.js'
import { finishFile, type FinishedFile } from '../media/finish-file.js'
import { isoDate, pathFieldsFor } from '../storage/path-fields.js'
import { renderPathTemplate } from '../storage/path-template.js'
import { placeBeside, placeFiles } from '../storage/place-files.js'
import type { AttemptBudget, FetchedPost } from './fetched-post.js'

export interface FinishPostOptions extends AttemptBudget {
  post: FetchedPost
  /** the download: its id names nothing but keeps names unique; its url goes into the tags */
  download: { id: string; url: string }
  config: Config
  /** absolute downloads folder */
  downloadsDir: string
  /** absolute paths, or null when not installed */
  ffmpeg: string | null
  ffprobe: string | null
  now: Date
  log: Logger
}

export async function finishPost(options: FinishPostOptions): Promise<CompletedDownload> {
  const { post, download, config } = options
  const { facts } = post
  const finished: FinishedFile[] = []
  for (const entry of post.entries) {
    finished.push(
      await finishFile(entry, {
        iosCompatible: config.downloads.ios_compatible,
        embedMetadata: config.downloads.embed_metadata,
        keepOriginal: config.downloads.keep_original,
        tags: { title: facts.title, artist: facts.uploader, date: isoDate(facts.upload_date), comment: download.url },
        deadlineMs: options.deadlineMs,
        signal: options.signal,
        killGraceMs: options.killGraceMs,
        runTool: options.runTool,
        ffmpeg: options.ffmpeg,
        ffprobe: options.ffprobe,
        onWarning: (message, details) => options.log.warn(details, message),
      }),
    )
  }
  const fields = pathFieldsFor({ facts, url: download.url, downloadId: download.id, allowedDomains: config.downloads.allowed_domains, now: options.now })
  const parts = renderPathTemplate(config.storage.path_template, fields)
  const tail = download.id.slice(0, 8)
  const placed = await placeFiles(options.downloadsDir, parts, finished.map((file) => ({ source: file.path, extension: file.extension })), tail)
  const absolute = placed.map((relative) => path.join(options.downloadsDir, relative))
  try {
    for (const [index, file] of finished.entries()) {
      if (file.original === null) continue
      await placeBeside(absolute[index]!, { source: file.original, extension: path.extname(file.original).slice(1) }, tail)
    }
    const files: NewDownloadFile[] = []
    for (const [index, file] of finished.entries()) {
      const filename = path.basename(placed[index]!)
      files.push({
        media: file.media,
        filename,
        file_path: placed[index]!,
        file_size: (await stat(absolute[index]!)).size,
        content_type: contentTypeFor(filename),
        width: file.width ?? post.entries[index]!.width,
        height: file.height ?? post.entries[index]!.height,
        duration_seconds: file.duration_seconds,
      })
    }
    const single = files.length === 1 ? files[0]! : undefined
    return {
      title: facts.title,
      uploader: facts.uploader,
      duration_seconds: facts.duration_seconds ?? single?.duration_seconds ?? null,
      thumbnail_url: facts.thumbnail_url,
      extractor: facts.extractor,
      video_id: facts.video_id,
      downloader: post.downloader,
      files,
    }
  } catch (err) {
    // Placed files of a download that does not complete would be nobody's.
    await Promise.all(absolute.map((file) => rm(file, { force: true })))
    throw err
  }
}
