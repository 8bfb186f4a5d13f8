// Runs gallery-dl once for one job, under the same rules as yt-dlp (process/spawn-bounded.ts, through
// runTool): no shell, every process it starts stopped at the deadline or on abort, output read in
// bounded memory, and every file it reports checked to be a regular file inside the job's work
// folder before the server touches it.
import { lstat, mkdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../core/config.js'
import { relativeInside } from '../output-paths.js'
import type { RunTool } from '../media/run-tool.js'
import { RunFailureReason, YtDlpRunError } from '../ytdlp/runner.js'
import { buildGalleryDlArgs } from './args.js'
import { parseFileLine, readFileMetadata, type GalleryDlFile } from './output.js'

/**
 * A failed gallery-dl run. The reasons are yt-dlp's (RunFailureReason); the stderr is gallery-dl's,
 * classified by gallery-dl/classify-error.ts, so check for this class before YtDlpRunError.
 */
export class GalleryDlRunError extends YtDlpRunError {
  override name = 'GalleryDlRunError'
}

export interface RunGalleryDlOptions {
  url: string
  config: Config
  /** absolute folder inside the job's work folder; created if missing */
  outputDir: string
  /** Date.now() value at which the attempt's time limit ends */
  deadlineMs: number
  signal?: AbortSignal | undefined
  userAgent?: string | null
  /** the server's downloader proxy, when it runs one */
  proxy?: string | null
  killGraceMs: number
  runTool: RunTool
  onSpawn?: (pid: number) => void
  /** the attempt's VDS_ATTEMPT value (attempt-marker.ts), so its stop and recovery reach gallery-dl */
  attemptMarker?: string | undefined
}

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
    proxy: options.proxy ?? null,
  })
  const reported: string[] = []
  const command = galleryDlCommand(config)
  const run = await options.runTool({
    command,
    args,
    timeoutMs: Math.max(options.deadlineMs - Date.now(), 1),
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    onSpawn: options.onSpawn,
    marker: options.attemptMarker,
    onLine: (line) => {
      const file = parseFileLine(line)
      if (file !== undefined && !reported.includes(file)) reported.push(file)
    },
  })
  if (run.spawnError) {
    throw new GalleryDlRunError(RunFailureReason.spawn_failed, `Cannot run gallery-dl ("${command}": ${run.spawnError.code ?? run.spawnError.message}). Install gallery-dl or set gallery_dl.path in the config.`)
  }
  if (run.stoppedBy === 'timeout') throw new GalleryDlRunError(RunFailureReason.timeout, 'gallery-dl ran past the time limit', run.stderr)
  if (run.stoppedBy === 'abort') throw new GalleryDlRunError(RunFailureReason.aborted, 'the download was stopped', run.stderr)
  if (run.stoppedBy === 'output_flood') throw new GalleryDlRunError(RunFailureReason.exit, 'gallery-dl wrote too much output and was stopped', run.stderr)
  if (run.exitCode !== 0 || reported.length === 0) {
    const why = run.exitCode === 0 ? 'found nothing to download' : `exited with code ${run.exitCode ?? run.signal}`
    throw new GalleryDlRunError(RunFailureReason.exit, `gallery-dl ${why}`, run.stderr, run.exitCode)
  }
  const root = await realpath(options.outputDir)
  const files: GalleryDlFile[] = []
  for (const reportedPath of reported) {
    const file = await confineToWorkFolder(root, reportedPath, run.stderr)
    files.push({ path: file, metadata: await readFileMetadata(file) })
  }
  return files
}

async function confineToWorkFolder(root: string, reportedPath: string, stderr: string): Promise<string> {
  const unsafe = () => new GalleryDlRunError(RunFailureReason.unsafe_output, `gallery-dl reported ${reportedPath}, outside its work folder; check gallery_dl.extra_args`, stderr)
  const resolved = path.resolve(root, reportedPath)
  const info = await lstat(resolved).catch(() => undefined)
  if (!info?.isFile()) throw unsafe()
  const real = path.join(await realpath(path.dirname(resolved)), path.basename(resolved))
  if (relativeInside(root, real) === undefined) throw unsafe()
  return real
}
