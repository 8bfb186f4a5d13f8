// The gallery-dl command line for one attempt, held to yt-dlp's rules: an argument array (never a
// shell string), no configuration but ours (--config-ignore; the login cache kept in memory), every
// file written into the job's work folder, the owner's extra arguments before "--" and the URL
// alone after it.
import type { Config } from '../../core/config.js'

export interface GalleryDlArgsOptions {
  url: string
  galleryDl: Config['gallery_dl']
  /** absolute folder in the job's work folder that receives the files */
  outputDir: string
  /** downloads.max_items_per_post */
  maxItems: number
  /** Netscape cookies file for the link's site, or null */
  cookiesFile: string | null
  /** this attempt's User-Agent; null keeps gallery-dl's */
  userAgent: string | null
  /** download rate limit such as "2M"; null for none */
  rateLimit: string | null
  /** the attempt's egress proxy (src/egress: http://vds:<token>@127.0.0.1:<port>); there is no direct way */
  proxy: string
}

export function buildGalleryDlArgs(options: GalleryDlArgsOptions): string[] {
  const args = [
    '--config-ignore', // the owner's ~/.config/gallery-dl must not change paths behind our back
    '-o', 'cache.file=null', // no login cache shared between jobs or with the owner's account
    '-o', 'output.mode=pipe', // one line per finished file on stdout, whatever the terminal
    '-o', 'output.progress=false',
    // A link to a list of posts still yields one post: its first (gallery-dl ≥ 1.26 knows
    // post-range and child-range; older ones ignore unknown keys and are capped by --range).
    '-o', 'post-range=1-1',
    '-o', 'child-range=1-1',
    '-o', 'chapter-range=1-1',
    '--directory', options.outputDir,
    '--write-metadata', // <file>.json beside each file: title, uploader, date, ids
    '--range', `1-${options.maxItems}`,
    '--retries', '2', // the server schedules its own retries
    '--no-mtime',
  ]
  if (options.cookiesFile !== null) args.push('--cookies', options.cookiesFile)
  if (options.userAgent !== null) args.push('--user-agent', options.userAgent)
  if (options.rateLimit !== null) args.push('--limit-rate', options.rateLimit)
  args.push(...options.galleryDl.extra_args)
  // After extra_args: the last --proxy wins, and the owner's must not bypass the egress check.
  args.push('--proxy', options.proxy)
  args.push('--', options.url)
  return args
}
