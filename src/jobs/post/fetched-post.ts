// What a downloader hands over for one post: its files in the post's order, still in the job's
// work folder, and what the post said about itself. Shared by the yt-dlp and gallery-dl sides.
import { lstat, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { DownloaderName } from '../../core/types.js'
import type { RunTool } from '../media/run-tool.js'
import { relativeInside } from '../output-paths.js'
import type { PostFacts } from '../storage/path-fields.js'

/** What every program of one attempt runs under. */
export interface AttemptBudget {
  /** Date.now() value at which the attempt's time limit ends */
  deadlineMs: number
  /** abort = stop it (cancel, shutdown) */
  signal: AbortSignal | undefined
  /** SIGTERM → SIGKILL grace period */
  killGraceMs: number
  runTool: RunTool
}

/** The post's facts, in the shape the download row keeps. */
export interface FetchedFacts extends PostFacts {
  extractor: string | null
  duration_seconds: number | null
  thumbnail_url: string | null
}

/** One entry of the post as downloaded. */
export interface FetchedEntry {
  /** absolute path inside the job's work folder */
  path: string
  /** the entry's picture (absolute, in the work folder) for cover art, or null */
  thumbnail: string | null
  width: number | null
  height: number | null
}

export interface FetchedPost {
  downloader: DownloaderName
  facts: FetchedFacts
  /** at least one, in the post's order */
  entries: FetchedEntry[]
}

/**
 * The real path of a file a downloader reported, checked to be a regular file strictly inside
 * `root` (already a real path); undefined when it is not, so a surprising template or extra
 * argument can never make the server move, serve or delete a file elsewhere.
 */
export async function confineReportedFile(root: string, reported: string): Promise<string | undefined> {
  const resolved = path.resolve(root, reported)
  const info = await lstat(resolved).catch(() => undefined)
  if (!info?.isFile()) return undefined
  const real = path.join(await realpath(path.dirname(resolved)), path.basename(resolved))
  return relativeInside(root, real) === undefined ? undefined : real
}
