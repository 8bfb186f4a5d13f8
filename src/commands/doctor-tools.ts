// Doctor checks for the external programs: yt-dlp (required) and ffmpeg (needed to merge formats).
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { checkDownloader, findExecutable } from '../jobs/preflight.js'
import { check, CheckStatus, isoDay, type CheckResult } from './doctor-check.js'

const execFileAsync = promisify(execFile)
const DAY_MS = 24 * 60 * 60 * 1000
/** Site extractors (TikTok, Instagram) break within months; a year-old yt-dlp rarely still works. */
const YTDLP_MAX_AGE_DAYS = 365
const VERSION_TIMEOUT_MS = 15_000

/** yt-dlp runs, its version, and how old that release is. */
export async function checkYtDlp(ytdlpPath: string, now = new Date()): Promise<CheckResult> {
  const status = await checkDownloader(ytdlpPath)
  const where = (await locate(ytdlpPath)) ?? ytdlpPath
  if (!status.available) {
    return check(
      'ytdlp',
      CheckStatus.fail,
      `yt-dlp not found or not runnable at "${ytdlpPath}" (ytdlp.path): install it (scripts/setup.sh, ` +
        'or `pipx install yt-dlp`) or set ytdlp.path to its full path; downloads wait until it works',
    )
  }
  const released = releaseDate(status.version)
  if (released === null) return check('ytdlp', CheckStatus.ok, `yt-dlp ${status.version ?? '(unknown version)'} at ${where}`)
  const ageDays = Math.floor((now.getTime() - released.getTime()) / DAY_MS)
  if (ageDays > YTDLP_MAX_AGE_DAYS) {
    return check(
      'ytdlp',
      CheckStatus.warn,
      `yt-dlp ${status.version} at ${where} was released ${ageDays} days ago (${isoDay(released)}): TikTok and ` +
        'Instagram downloads break with old releases; update it (`yt-dlp -U`, `pipx upgrade yt-dlp` or your package manager)',
    )
  }
  return check('ytdlp', CheckStatus.ok, `yt-dlp ${status.version} at ${where} (${ageDays} days old)`)
}

/** ffmpeg on PATH and its version; missing is a warning: single-file formats still download. */
export async function checkFfmpeg(): Promise<CheckResult> {
  try {
    const { stdout } = await execFileAsync('ffmpeg', ['-version'], { timeout: VERSION_TIMEOUT_MS })
    const version = /^ffmpeg version (\S+)/.exec(stdout)?.[1] ?? '(unknown version)'
    return check('ffmpeg', CheckStatus.ok, `ffmpeg ${version} at ${(await locate('ffmpeg')) ?? 'ffmpeg'}`)
  } catch {
    return check(
      'ffmpeg',
      CheckStatus.warn,
      'ffmpeg not found on PATH: yt-dlp needs it to merge separate video and audio streams into one MP4; ' +
        'install it (scripts/setup.sh, `apt install ffmpeg` or `brew install ffmpeg`)',
    )
  }
}

/** yt-dlp versions are release dates: 2023.03.04, or 2024.08.06.232857 for nightlies. */
function releaseDate(version: string | null): Date | null {
  const match = version ? /^(\d{4})\.(\d{2})\.(\d{2})/.exec(version) : null
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null
}

/** A bare command name is looked up on PATH so the report shows which file runs. */
async function locate(command: string): Promise<string | null> {
  return command.includes(path.sep) ? command : findExecutable(command)
}
