// The yt-dlp command line for one attempt. Built as an argument array (never a shell string), with
// the owner's extra arguments before "--" and the URL alone after it, so a URL can never be read
// as an option.
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
}

const DEFAULT_FORMAT = parseConfig({}).ytdlp.format
/** Without ffmpeg nothing can be merged: take the best single file, MP4 first. */
const SINGLE_FILE_FORMAT = 'b[ext=mp4]/b'

export function buildYtDlpArgs(options: YtDlpArgsOptions): string[] {
  const { ytdlp } = options
  const format = !options.canMerge && ytdlp.format === DEFAULT_FORMAT ? SINGLE_FILE_FORMAT : ytdlp.format
  const args = [
    '--ignore-config', // the owner's ~/.config/yt-dlp must not change paths or templates behind our back
    '--no-playlist',
    '--playlist-items', '1', // a link that is only a playlist still yields one file, not hundreds
    '--newline',
    '--no-colors',
    '--no-mtime', // the file's date is when it was downloaded, which is what a person sorts by
    '--progress', // --print implies --quiet; this keeps the progress lines
    '--progress-template', PROGRESS_TEMPLATE,
    '--print', RESULT_TEMPLATE,
    '--paths', `home:${options.downloadsDir}`,
    '--paths', `temp:${jobWorkDir(options.downloadsDir, options.jobId)}`,
    '--output', outputTemplate(options.jobId),
    '--format', format,
  ]
  if (options.canMerge) args.push('--merge-output-format', 'mp4')
  if (ytdlp.cookies_file !== null) args.push('--cookies', ytdlp.cookies_file)
  if (options.userAgent !== null) args.push('--user-agent', options.userAgent)
  if (ytdlp.rate_limit !== null) args.push('--limit-rate', ytdlp.rate_limit)
  args.push(...ytdlp.extra_args, '--', options.url)
  return args
}
