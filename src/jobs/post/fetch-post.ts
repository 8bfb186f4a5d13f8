// Which downloader gets the post, and the fallback between them within one attempt (routing.ts
// decides; this runs it). yt-dlp handles videos; gallery-dl takes TikTok /photo/ links and direct
// image links first, and gets a go when yt-dlp calls a link unsupported or says the post has no
// video (Instagram image posts), or brings only a TikTok slideshow's sound. When gallery-dl cannot
// help either, the failure reported is yt-dlp's, which says more about a video link.
import path from 'node:path'
import type { Logger } from 'pino'
import { contentTypeFor, mediaFor } from '../../core/media-types.js'
import { classifyYtDlpError } from '../classify-error.js'
import { classifyGalleryDlError } from '../gallery-dl/classify-error.js'
import { GalleryDlRunError } from '../gallery-dl/runner.js'
import { firstDownloader, galleryDlMayHelp, isTikTokSlideshowSound } from '../routing.js'
import { RunFailureReason, YtDlpRunError } from '../ytdlp/runner.js'
import type { FetchedPost } from './fetched-post.js'
import { runGalleryDlPost } from './gallery-dl-post.js'
import { runYtDlpPost, type YtDlpPostOptions } from './ytdlp-post.js'

/** What each downloader run of the attempt gets (ytdlp-post.ts lists it), and where fallbacks are logged. */
export interface FetchPostOptions extends YtDlpPostOptions {
  log: Logger
}

export async function fetchPost(options: FetchPostOptions): Promise<FetchedPost> {
  const galleryDl = () => runGalleryDlPost({ ...options, workDir: path.join(options.workDir, 'gallery-dl') })
  if (firstDownloader(options.url) === 'gallery-dl') return galleryDl()

  let post: FetchedPost
  try {
    post = await runYtDlpPost({ ...options, workDir: path.join(options.workDir, 'yt-dlp') })
  } catch (err) {
    if (!(err instanceof YtDlpRunError) || err.reason !== RunFailureReason.exit) throw err
    if (!galleryDlMayHelp(classifyYtDlpError(err.stderr, err.exitCode).code, err.stderr)) throw err
    options.log.info({ ytdlp_error: err.stderr.slice(-300) }, 'yt-dlp found no video; trying gallery-dl')
    return galleryDl().catch((galleryErr: unknown) => {
      throw galleryDlCouldNotHelp(galleryErr) ? err : galleryErr
    })
  }
  const media = post.entries.map((entry) => mediaFor(contentTypeFor(entry.path)))
  if (!isTikTokSlideshowSound(post.facts.extractor, media)) return post
  options.log.info('yt-dlp brought only the sound of a TikTok slideshow; gallery-dl gets the photos')
  try {
    return await galleryDl()
  } catch (err) {
    // No gallery-dl on this machine: the sound alone beats nothing. Anything else is retried.
    if (err instanceof GalleryDlRunError && err.reason === RunFailureReason.spawn_failed) {
      options.log.warn({ err: err.message }, 'gallery-dl is not installed; keeping only the slideshow sound')
      return post
    }
    throw err
  }
}

/** gallery-dl is missing or does not know the link either: yt-dlp's error is the better answer. */
function galleryDlCouldNotHelp(err: unknown): boolean {
  if (!(err instanceof GalleryDlRunError)) return false
  if (err.reason === RunFailureReason.spawn_failed) return true
  return err.reason === RunFailureReason.exit && classifyGalleryDlError(err.stderr, err.exitCode).code === 'unsupported_url'
}
