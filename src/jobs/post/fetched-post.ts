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

/** Why a reported file is not taken: not a regular file strictly inside the folder, or not the downloader's own. */
export type ReportedFileRefusal = 'outside' | 'linked'

/**
 * The real path of a file a downloader reported, checked to be a regular file strictly inside
 * `root` (already a real path) and to have no other name; a refusal otherwise, so a surprising
 * template or extra argument — or a downloader that lies — can never make the server move, tag,
 * serve or delete a file that is not the one it downloaded.
 *
 * Why "no other name" (link count 1) and not "new in this attempt": a hard link made inside the
 * work folder passes every path test, and making it updates the shared inode's ctime, so a time
 * test passes too; birth times are missing on many file systems. A file a downloader really wrote
 * into this attempt's fresh folder has exactly one name, so a second one always means it is shared
 * with a file elsewhere (another job's, or anything of the server's user on that disk).
 */
export async function confineReportedFile(root: string, reported: string): Promise<string | ReportedFileRefusal> {
  const resolved = path.resolve(root, reported)
  const info = await lstat(resolved).catch(() => undefined)
  if (!info?.isFile()) return 'outside'
  const real = path.join(await realpath(path.dirname(resolved)), path.basename(resolved))
  if (relativeInside(root, real) === undefined) return 'outside'
  return info.nlink > 1 ? 'linked' : real
}

/** The unsafe_output message for a file with a second name; only its name, never a server folder. */
export function linkedFileMessage(downloader: DownloaderName, reported: string): string {
  return `${downloader} reported "${path.basename(reported)}", which has another name too (a hard link to a file elsewhere); it was refused`
}
