// yt-dlp for one post: every entry into the job's work folder, in order (see buildYtDlpPostArgs),
// through the engine's one way of running helper programs (run-tool: no shell, own process group,
// deadline, abort, bounded output). A link that turns out to list other posts gets a second run
// for its first post only. Failures are YtDlpRunError, classified like every yt-dlp failure.
import { mkdir, readdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../core/config.js'
import type { DownloadProgress } from '../../core/types.js'
import { proxyEnv } from '../../egress/proxy-env.js'
import { buildYtDlpPostArgs } from '../ytdlp/args.js'
import { parseProgressEntry, parseProgressLine, parseResultLine, type YtDlpResultLine } from '../ytdlp/output.js'
import { RunFailureReason, YtDlpRunError, ytdlpCommand } from '../ytdlp/runner.js'
import { runDownloader, type DownloaderKind } from '../downloader-run.js'
import { confineReportedFile, linkedFileMessage, type AttemptBudget, type FetchedEntry, type FetchedFacts, type FetchedPost } from './fetched-post.js'

export interface YtDlpPostOptions extends AttemptBudget {
  url: string
  config: Config
  /** absolute folder of this downloader inside the job's work folder */
  workDir: string
  userAgent: string | null
  /** the attempt's egress proxy URL (src/egress); required: no downloader runs around it */
  proxy: string
  /** ffmpeg is installed (merging formats, converting thumbnails) */
  canMerge: boolean
  onSpawn?: ((pid: number) => void) | undefined
  onProgress?: ((progress: DownloadProgress) => void) | undefined
}

/** The yt-dlp extractor of <video> elements on an ordinary page: the generic extractor's. */
const GENERIC_ENTRY_EXTRACTORS = new Set(['html5'])
const THUMBNAIL_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp']
const YTDLP: DownloaderKind = { name: 'yt-dlp', pathKey: 'ytdlp.path', errorClass: YtDlpRunError }

/** Downloads the post; resolves with its entries in order, rejects with YtDlpRunError. */
export async function runYtDlpPost(options: YtDlpPostOptions): Promise<FetchedPost> {
  const first = await runOnce(options, false)
  const list = first.length === 0
  const results = list ? await runOnce(options, true) : first
  if (results.length === 0) throw new YtDlpRunError(RunFailureReason.exit, 'yt-dlp reported no file', '', 0)
  const filesDir = await realpath(path.join(options.workDir, 'files'))
  const names = await readdir(filesDir)
  const entries: FetchedEntry[] = []
  for (const result of results) {
    const file = await confineReportedFile(filesDir, result.filepath)
    if (file === 'linked') throw new YtDlpRunError(RunFailureReason.unsafe_output, linkedFileMessage('yt-dlp', result.filepath))
    if (file === 'outside') {
      throw new YtDlpRunError(
        RunFailureReason.unsafe_output,
        `yt-dlp wrote "${path.basename(result.filepath)}" outside the downloads folder — check ytdlp.extra_args for -o or -P`,
      )
    }
    if (entries.some((entry) => entry.path === file)) continue // one file reported twice (same id)
    entries.push({ path: file, thumbnail: thumbnailOf(filesDir, file, names), width: result.width, height: result.height })
  }
  return { downloader: 'yt-dlp', facts: factsOf(results, list), entries }
}

/** One yt-dlp run; resolves with the files it reported (possibly none), rejects on failure. */
async function runOnce(options: YtDlpPostOptions, firstOfList: boolean): Promise<YtDlpResultLine[]> {
  const { config } = options
  const filesDir = path.join(options.workDir, 'files')
  const tempDir = path.join(options.workDir, 'tmp')
  await mkdir(filesDir, { recursive: true })
  await mkdir(tempDir, { recursive: true })
  const args = buildYtDlpPostArgs({
    url: options.url,
    ytdlp: config.ytdlp,
    filesDir,
    tempDir,
    maxItems: config.downloads.max_items_per_post,
    firstOfList,
    writeThumbnail: config.downloads.embed_metadata && options.canMerge,
    userAgent: options.userAgent,
    canMerge: options.canMerge,
    proxy: options.proxy,
  })
  const results: YtDlpResultLine[] = []
  await runDownloader(YTDLP, options, {
    command: ytdlpCommand(config),
    args,
    env: proxyEnv(options.proxy), // ffmpeg, when yt-dlp hands it a stream, goes through the proxy too
    onLine: (rawLine) => {
      const line = rawLine.replace(/^\r+/, '')
      const progress = parseProgressLine(line)
      if (progress) return options.onProgress?.(overall(progress, parseProgressEntry(line)))
      const result = parseResultLine(line)
      if (result) results.push(result)
    },
  })
  return results
}

/** An album's progress runs from 0 to 100 % over all its entries, not once per entry. */
function overall(progress: DownloadProgress, entry: ReturnType<typeof parseProgressEntry>): DownloadProgress {
  if (entry === undefined || progress.percent === null) return progress
  const percent = ((entry.index - 1) * 100 + progress.percent) / entry.count
  return { ...progress, percent: Math.round(percent * 10) / 10, eta_seconds: entry.index < entry.count ? null : progress.eta_seconds }
}

/**
 * The post's facts. Entries of one post (an album) carry the post's own id and title as their
 * playlist's; the first post of a list is described by itself, not by the list.
 */
function factsOf(results: YtDlpResultLine[], fromList: boolean): FetchedFacts {
  const first = results[0]!
  const album = !fromList && first.playlist_id !== null
  const extractor = first.extractor !== null && GENERIC_ENTRY_EXTRACTORS.has(first.extractor.toLowerCase()) ? 'generic' : first.extractor
  return {
    title: album ? (first.playlist_title ?? first.title) : first.title,
    uploader: album ? (first.playlist_uploader ?? first.uploader) : first.uploader,
    video_id: album ? first.playlist_id : first.id,
    upload_date: first.upload_date,
    extractor,
    duration_seconds: album ? null : first.duration,
    thumbnail_url: first.thumbnail,
  }
}

/** The picture --write-thumbnail left beside a file: same name, an image extension. */
function thumbnailOf(filesDir: string, file: string, names: readonly string[]): string | null {
  const stem = path.basename(file, path.extname(file))
  for (const extension of THUMBNAIL_EXTENSIONS) {
    const name = `${stem}.${extension}`
    if (name !== path.basename(file) && names.includes(name)) return path.join(filesDir, name)
  }
  return null
}
