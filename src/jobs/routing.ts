// Which downloader takes a link. yt-dlp handles videos; gallery-dl handles photo posts: TikTok
// /photo/ links, direct image links, and — found out only by asking yt-dlp first — Instagram
// image posts, links yt-dlp calls unsupported, and TikTok slideshows (yt-dlp returns only their
// sound; gallery-dl returns the photos and the sound).
import type { DownloaderName, MediaType } from '../core/types.js'

const IMAGE_PATH = /\.(?:jpe?g|png|gif|webp|heic|heif|avif|bmp)$/i

/** The downloader that tries the link first. */
export function firstDownloader(url: string): DownloaderName {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'yt-dlp'
  }
  const host = parsed.hostname.toLowerCase()
  const tiktok = host === 'tiktok.com' || host.endsWith('.tiktok.com')
  if (tiktok && /\/photo\/\d+/.test(parsed.pathname)) return 'gallery-dl'
  if (IMAGE_PATH.test(parsed.pathname)) return 'gallery-dl'
  return 'yt-dlp'
}

/** yt-dlp failed with `code` and this stderr: does gallery-dl get a go within the same attempt? */
export function galleryDlMayHelp(code: string, stderr: string): boolean {
  if (code === 'unsupported_url' || code === 'no_video_formats') return true
  return /There is no video in this post|There's no video in this|No video formats found/i.test(stderr)
}

/** yt-dlp brought only a sound from TikTok: the post is a slideshow, whose photos gallery-dl gets. */
export function isTikTokSlideshowSound(extractor: string | null, media: readonly MediaType[]): boolean {
  return extractor !== null && /^tiktok$/i.test(extractor) && media.length > 0 && media.every((m) => m === 'audio')
}
