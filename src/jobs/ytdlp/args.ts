// The yt-dlp command lines. Built as an argument array (never a shell string), with the owner's
// extra arguments before "--" and the URL alone after it, so a URL can never be read as an option.
import { parseConfig, type Config } from '../../core/config.js'
import { jobWorkDir, outputTemplate } from '../output-paths.js'
import { PROGRESS_TEMPLATE, RESULT_TEMPLATE } from './output.js'

/** Everything that shapes one attempt's command line. */
export interface YtDlpArgsOptions {
  url: string
  jobId: string
  ytdlp: Config['ytdlp']
  /** absolute downloads folder */
  downloadsDir: string
  /** this attempt's User-Agent (rotated by the worker); null keeps yt-dlp's own */
  userAgent: string | null
  /** ffmpeg is installed, so separate video and audio can be merged into one MP4 */
  canMerge: boolean
  /** an egress proxy URL; null connects directly: the worker never uses this command (bench, tests) */
  proxy?: string | null
}

/** One post into a work folder: every entry of it (see buildYtDlpPostArgs). */
export interface YtDlpPostArgsOptions {
  url: string
  ytdlp: Config['ytdlp']
  /** absolute folder in the job's work folder that receives the finished files */
  filesDir: string
  /** absolute folder in the job's work folder for .part files and fragments */
  tempDir: string
  /** downloads.max_items_per_post */
  maxItems: number
  /**
   * false: every entry of a post (an album), but nothing of a link that lists other posts;
   * true: the first entry of such a list, as the second try when the first one found only a list
   */
  firstOfList: boolean
  /** write the post's picture beside each file (as JPEG), for the cover art */
  writeThumbnail: boolean
  userAgent: string | null
  canMerge: boolean
  /** the attempt's egress proxy URL (src/egress); there is no direct way */
  proxy: string
}

const DEFAULT_FORMAT = parseConfig({}).ytdlp.format
/** Without ffmpeg nothing can be merged: take the best single file, MP4 first. */
const SINGLE_FILE_FORMAT = 'b[ext=mp4]/b'
/** Entries in the order yt-dlp downloads them; the id keeps names readable in the work folder. */
const POST_OUTPUT_TEMPLATE = '%(autonumber)03d %(id).60B.%(ext)s'

/** The single-file command (the first entry only); the attempt uses buildYtDlpPostArgs. */
export function buildYtDlpArgs(options: YtDlpArgsOptions): string[] {
  const args = [
    ...commonArgs(options.ytdlp, options.canMerge),
    '--no-playlist',
    '--playlist-items', '1', // a link that is only a playlist still yields one file, not hundreds
    '--paths', `home:${options.downloadsDir}`,
    '--paths', `temp:${jobWorkDir(options.downloadsDir, options.jobId)}`,
    '--output', outputTemplate(options.jobId),
  ]
  return [...args, ...ownerArgs(options.ytdlp, options.userAgent, options.proxy ?? null), '--', options.url]
}

/**
 * Every entry of one post, in order. A post with several entries (a carousel, a page with several
 * <video> elements) is a playlist whose entries yt-dlp already resolved; a link to a list of posts
 * (a profile, a playlist, a feed) is a playlist of links to other pages. --flat-playlist downloads
 * the first kind and leaves the second untouched, so a list costs one page and yields nothing;
 * the caller then asks again with firstOfList for its first post only.
 */
export function buildYtDlpPostArgs(options: YtDlpPostArgsOptions): string[] {
  const args = [
    ...commonArgs(options.ytdlp, options.canMerge),
    '--no-playlist', // a video link that also names a playlist (YouTube's &list=) is the video
    ...(options.firstOfList ? ['--playlist-items', '1'] : ['--flat-playlist', '--playlist-items', `1:${options.maxItems}`]),
    '--no-write-playlist-metafiles',
    '--paths', `home:${options.filesDir}`,
    '--paths', `temp:${options.tempDir}`,
    '--output', POST_OUTPUT_TEMPLATE,
  ]
  if (options.writeThumbnail) args.push('--write-thumbnail', '--convert-thumbnails', 'jpg')
  return [...args, ...ownerArgs(options.ytdlp, options.userAgent, options.proxy), '--', options.url]
}

function commonArgs(ytdlp: Config['ytdlp'], canMerge: boolean): string[] {
  const format = !canMerge && ytdlp.format === DEFAULT_FORMAT ? SINGLE_FILE_FORMAT : ytdlp.format
  const args = [
    '--ignore-config', // the owner's ~/.config/yt-dlp must not change paths or templates behind our back
    '--newline',
    '--no-colors',
    '--no-mtime', // the file's date is when it was downloaded, which is what a person sorts by
    '--progress', // --print implies --quiet; this keeps the progress lines
    '--progress-template', PROGRESS_TEMPLATE,
    '--print', RESULT_TEMPLATE,
    '--format', format,
  ]
  if (canMerge) args.push('--merge-output-format', 'mp4')
  return args
}

/**
 * Cookies, User-Agent, rate limit and the owner's extra arguments, then the egress proxy: last
 * before "--", after extra_args, because yt-dlp takes the last --proxy and an owner's own must not
 * take the downloader around the check (SPEC §5).
 */
function ownerArgs(ytdlp: Config['ytdlp'], userAgent: string | null, proxy: string | null): string[] {
  const args: string[] = []
  if (ytdlp.cookies_file !== null) args.push('--cookies', ytdlp.cookies_file)
  if (userAgent !== null) args.push('--user-agent', userAgent)
  if (ytdlp.rate_limit !== null) args.push('--limit-rate', ytdlp.rate_limit)
  args.push(...ytdlp.extra_args)
  if (proxy !== null) args.push('--proxy', proxy)
  return args
}
