// gallery-dl for one post (photo posts, slideshows, links yt-dlp cannot take): its files in order,
// with the post's facts from the metadata gallery-dl writes beside the first file. A slideshow's
// sound gets the first photo as its cover.
import path from 'node:path'
import type { Config } from '../../core/config.js'
import { contentTypeFor, mediaFor } from '../../core/media-types.js'
import { fileDimensions, postFacts } from '../gallery-dl/output.js'
import { runGalleryDl } from '../gallery-dl/runner.js'
import type { AttemptBudget, FetchedPost } from './fetched-post.js'

export interface GalleryDlPostOptions extends AttemptBudget {
  url: string
  config: Config
  /** absolute folder of this downloader inside the job's work folder */
  workDir: string
  userAgent: string | null
  /** the attempt's egress proxy URL (src/egress); required: no downloader runs around it */
  proxy: string
  onSpawn?: ((pid: number) => void) | undefined
}

/** Downloads the post; rejects with GalleryDlRunError. */
export async function runGalleryDlPost(options: GalleryDlPostOptions): Promise<FetchedPost> {
  const files = await runGalleryDl({
    url: options.url,
    config: options.config,
    outputDir: options.workDir,
    deadlineMs: options.deadlineMs,
    signal: options.signal,
    userAgent: options.userAgent,
    proxy: options.proxy,
    killGraceMs: options.killGraceMs,
    runTool: options.runTool,
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  })
  const facts = postFacts(files[0]!.metadata)
  const firstPhoto = files.find((file) => mediaFor(contentTypeFor(file.path)) === 'image')?.path ?? null
  return {
    downloader: 'gallery-dl',
    facts: { ...facts, thumbnail_url: null },
    entries: files.map((file) => ({
      path: file.path,
      thumbnail: mediaFor(contentTypeFor(path.basename(file.path))) === 'audio' ? firstPhoto : null,
      ...fileDimensions(file.metadata),
    })),
  }
}
