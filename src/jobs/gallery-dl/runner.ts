// Runs gallery-dl once for one job, under the same rules as yt-dlp (process/spawn-bounded.ts, through
// runTool): no shell, every process it starts stopped at the deadline or on abort, output read in
// bounded memory, and every file it reports checked to be a regular file inside the job's work
// folder before the server touches it.
import { mkdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../core/config.js'
import { runDownloader, type DownloaderBudget, type DownloaderKind } from '../downloader-run.js'
import { confineReportedFile, linkedFileMessage } from '../post/fetched-post.js'
import { RunFailureReason, YtDlpRunError } from '../ytdlp/runner.js'
import { proxyEnv } from '../../egress/proxy-env.js'
import { buildGalleryDlArgs } from './args.js'
import { parseFileLine, readFileMetadata, type GalleryDlFile } from './output.js'

/**
 * A failed gallery-dl run. The reasons are yt-dlp's (RunFailureReason); the stderr is gallery-dl's,
 * classified by gallery-dl/classify-error.ts, so check for this class before YtDlpRunError.
 */
export class GalleryDlRunError extends YtDlpRunError {
  override name = 'GalleryDlRunError'
}

export interface RunGalleryDlOptions extends DownloaderBudget {
  url: string
  config: Config
  /** absolute folder inside the job's work folder; created if missing */
  outputDir: string
  /** the attempt's marker comes with runTool (download-post.ts wraps it), so none is passed here */
  userAgent?: string | null
  /** the attempt's egress proxy URL (src/egress); required: no downloader runs around it */
  proxy: string
}

const GALLERY_DL: DownloaderKind = { name: 'gallery-dl', pathKey: 'gallery_dl.path', errorClass: GalleryDlRunError }

/** The command for gallery_dl.path: "auto" is the installed gallery-dl until a managed one exists. */
export function galleryDlCommand(config: Config): string {
  return config.gallery_dl.path === 'auto' ? 'gallery-dl' : config.gallery_dl.path
}

/** Downloads the post; resolves with its files in order, rejects with GalleryDlRunError. */
export async function runGalleryDl(options: RunGalleryDlOptions): Promise<GalleryDlFile[]> {
  const { config } = options
  await mkdir(options.outputDir, { recursive: true })
  const args = buildGalleryDlArgs({
    url: options.url,
    galleryDl: config.gallery_dl,
    outputDir: options.outputDir,
    maxItems: config.downloads.max_items_per_post,
    cookiesFile: config.ytdlp.cookies_file,
    userAgent: options.userAgent ?? null,
    rateLimit: config.ytdlp.rate_limit,
    proxy: options.proxy,
  })
  const reported: string[] = []
  const run = await runDownloader(GALLERY_DL, options, {
    command: galleryDlCommand(config),
    args,
    env: proxyEnv(options.proxy),
    onLine: (line) => {
      const file = parseFileLine(line)
      if (file !== undefined && !reported.includes(file)) reported.push(file)
    },
  })
  if (reported.length === 0) throw new GalleryDlRunError(RunFailureReason.exit, 'gallery-dl found nothing to download', run.stderr, run.exitCode)
  const root = await realpath(options.outputDir)
  const files: GalleryDlFile[] = []
  for (const reportedPath of reported) {
    const file = await confineReportedFile(root, reportedPath)
    if (file === 'linked') throw new GalleryDlRunError(RunFailureReason.unsafe_output, linkedFileMessage('gallery-dl', reportedPath), run.stderr)
    if (file === 'outside') {
      // Only the name: the folder it names is the server's (docs/api.md: no answer shows a server path).
      const name = path.basename(reportedPath)
      throw new GalleryDlRunError(RunFailureReason.unsafe_output, `gallery-dl reported "${name}" outside its work folder; check gallery_dl.extra_args`, run.stderr)
    }
    files.push({ path: file, metadata: await readFileMetadata(file) })
  }
  return files
}
