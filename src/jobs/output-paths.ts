// Where a job's files live. yt-dlp writes everything unfinished (.part, .ytdl, fragments, the
// separate video and audio before merging) into a per-job folder, <downloads>/.incomplete/<job id>/,
// and moves only the finished file into the downloads folder. Cleaning up after a cancel, timeout,
// failure or crash is therefore "remove that folder", and the downloads folder never shows a
// half-written file. The folder is inside the downloads folder so the final move is a rename on
// the same file system.
import { lstat, realpath, rm } from 'node:fs/promises'
import path from 'node:path'

/** Hidden folder under the downloads folder holding per-job work folders. */
export const INCOMPLETE_DIR = '.incomplete'

/** The folder for one job's unfinished files. */
export function jobWorkDir(downloadsDir: string, jobId: string): string {
  return path.join(path.resolve(downloadsDir), INCOMPLETE_DIR, jobId)
}

/**
 * yt-dlp output template: the title (cut to 80 bytes) and the site's video id (cut to 60: a site
 * controls both, and a name must stay under 255 bytes with yt-dlp's .part suffixes), and the first
 * 8 characters of our job id, which makes the name unique per job even when the same video is
 * downloaded twice. yt-dlp's "B" cut drops a character it would split.
 */
export function outputTemplate(jobId: string): string {
  return `%(title).80B [%(id).60B] ${jobId.slice(0, 8)}.%(ext)s`
}

/** Removes a job's unfinished files; harmless when there are none. */
export async function removePartialFiles(downloadsDir: string, jobId: string): Promise<void> {
  await rm(jobWorkDir(downloadsDir, jobId), { recursive: true, force: true, maxRetries: 3 })
}

/**
 * Checks that yt-dlp's final file is a regular file inside the downloads folder (and not in the
 * work folders), resolving symlinks, and returns its path relative to the downloads folder.
 * Throws when it is not, so a surprising template or extra argument can never make the server
 * serve or delete a file elsewhere.
 */
export async function confineToDownloads(downloadsDir: string, filePath: string): Promise<string> {
  const root = await realpath(downloadsDir)
  const resolved = path.resolve(downloadsDir, filePath)
  const info = await lstat(resolved)
  if (!info.isFile()) throw new Error(`yt-dlp's output ${resolved} is not a regular file`)
  const real = path.join(await realpath(path.dirname(resolved)), path.basename(resolved))
  const relative = relativeInside(root, real)
  if (relative === undefined || relative.split(path.sep)[0] === INCOMPLETE_DIR) {
    throw new Error(`yt-dlp wrote ${resolved}, outside the downloads folder ${root}; check ytdlp.extra_args for -o or -P`)
  }
  return relative
}

/** `target` relative to `root` when it lies strictly inside it (both already real paths), else undefined. */
export function relativeInside(root: string, target: string): string | undefined {
  const relative = path.relative(root, target)
  // A name may start with dots ("...wait for it", yt-dlp's "..⧸..⧸x"): only a '..' segment leaves.
  const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
  return outside ? undefined : relative
}

/** Real path of an existing folder, checked to lie strictly inside the real `root`; throws otherwise. */
export async function confineFolder(root: string, folder: string): Promise<string> {
  const [realRoot, realFolder] = await Promise.all([realpath(root), realpath(folder)])
  if (relativeInside(realRoot, realFolder) === undefined) throw new Error(`${folder} is not inside ${root}`)
  return realFolder
}
