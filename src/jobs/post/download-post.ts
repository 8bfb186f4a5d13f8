// One attempt's work on one post, start to end: download every entry into the job's work folder
// (fetch-post.ts picks the downloader), make each file iPhone-ready and tagged, place them under
// storage.path_template, and hand back the completion for the database. All of it runs under the
// attempt's time limit and abort signal; whatever happens, the work folder is gone when it settles.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from '../../core/config.js'
import type { CompletedDownload, DownloadProgress } from '../../core/types.js'
import { jobWorkDir, removePartialFiles } from '../output-paths.js'
import { findExecutable } from '../preflight.js'
import { runTool as defaultRunTool, type RunTool } from '../media/run-tool.js'
import { fetchPost } from './fetch-post.js'
import { finishPost } from './finish-post.js'

export interface DownloadPostOptions {
  /** the job: its id names the work folder, its url is what is downloaded */
  download: { id: string; url: string }
  config: Config
  /** absolute downloads folder */
  downloadsDir: string
  /** abort = stop whatever runs (cancel, shutdown) and clean up */
  signal: AbortSignal
  /** this attempt's User-Agent; null keeps the downloader's */
  userAgent: string | null
  /** the attempt's egress proxy URL (src/egress): every downloader run goes through it; there is no direct way */
  proxy: string
  /** SIGTERM → SIGKILL grace period */
  killGraceMs: number
  /** the attempt's VDS_ATTEMPT value (process/attempt-marker.ts): every program it runs carries it */
  attemptMarker: string
  /** the job's logger */
  log: Logger
  /** called with the pid (= process group) of each downloader started; must not throw */
  onSpawn?: (pid: number) => void
  /** called for every progress line; must not throw */
  onProgress?: (progress: DownloadProgress) => void
  now?: () => Date
  /** replaces the real process runner (tests) */
  runTool?: RunTool
}

export type DownloadPost = (options: DownloadPostOptions) => Promise<CompletedDownload>

interface MediaTools {
  ffmpeg: string | null
  ffprobe: string | null
}
let toolsLookup: Promise<MediaTools> | undefined
/** Looked up once per process: installing ffmpeg later needs a restart, which is rare and cheap. */
const mediaTools = () =>
  (toolsLookup ??= Promise.all([findExecutable('ffmpeg'), findExecutable('ffprobe')]).then(([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe })))

/** Downloads and finishes the post; rejects with YtDlpRunError, GalleryDlRunError or MediaStoppedError. */
export const downloadPost: DownloadPost = async (options) => {
  const downloadsDir = path.resolve(options.downloadsDir)
  const { download, config } = options
  const deadlineMs = Date.now() + config.downloads.timeout_seconds * 1000
  const workDir = jobWorkDir(downloadsDir, download.id)
  const baseRunTool = options.runTool ?? defaultRunTool
  // Downloaders, ffprobe and ffmpeg alike: the attempt's stop and crash recovery find them by it.
  const runTool: RunTool = (run) => baseRunTool({ ...run, marker: options.attemptMarker })
  const tools = await mediaTools()
  await mkdir(workDir, { recursive: true })
  try {
    const post = await fetchPost({
      url: download.url,
      config,
      workDir,
      deadlineMs,
      signal: options.signal,
      userAgent: options.userAgent,
      proxy: options.proxy,
      canMerge: tools.ffmpeg !== null,
      killGraceMs: options.killGraceMs,
      runTool,
      log: options.log,
      onSpawn: options.onSpawn,
      onProgress: options.onProgress,
    })
    return await finishPost({
      post,
      download,
      config,
      downloadsDir,
      deadlineMs,
      signal: options.signal,
      killGraceMs: options.killGraceMs,
      runTool,
      ...tools,
      now: options.now?.() ?? new Date(),
      log: options.log,
    })
  } finally {
    await removePartialFiles(downloadsDir, download.id)
  }
}
