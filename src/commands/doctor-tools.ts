// Doctor checks for the external programs: yt-dlp (required) and ffmpeg (needed to merge formats).
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { checkDownloader, findExecutable } from '../jobs/preflight.js'
import { check, CheckStatus, isoDay, type CheckResult } from './doctor-check.js'
import type { ToolKind } from '../tools/tool-sources.js'

const execFileAsync = promisify(execFile)
const DAY_MS = 24 * 60 * 60 * 1000
/** Site extractors (TikTok, Instagram) break within weeks to months (the health route's limit too). */
const YTDLP_MAX_AGE_DAYS = 90
const VERSION_TIMEOUT_MS = 15_000

/** How the doctor names who keeps a downloader current. */
const KIND_NOTE: Record<ToolKind, string> = {
  managed: ', managed by the server',
  system: '',
  owner: '',
}

/** yt-dlp runs, its version, and how old that release is. */
export async function checkYtDlp(ytdlpPath: string, now = new Date(), kind: ToolKind = 'owner'): Promise<CheckResult> {
  const status = await checkDownloader(ytdlpPath)
  const where = `${(await locate(ytdlpPath)) ?? ytdlpPath}${KIND_NOTE[kind]}`
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
        (kind === 'managed'
          ? 'Instagram downloads break with old releases; see `vds tools status` for why the update checks fail'
          : 'Instagram downloads break with old releases; set ytdlp.path: auto so the server keeps it current, or update it (`pipx upgrade yt-dlp` or your package manager)'),
    )
  }
  return check('ytdlp', CheckStatus.ok, `yt-dlp ${status.version} at ${where} (${ageDays} days old)`)
}

/** gallery-dl (photo posts): found and its version; missing is a warning (videos still download). */
export async function checkGalleryDl(command: string, kind: ToolKind): Promise<CheckResult> {
  const status = await checkDownloader(command)
  if (!status.available) {
    return check('gallery_dl', CheckStatus.warn, `gallery-dl not found at "${command}" (gallery_dl.path): photo posts fail until it is installed (\`pipx install gallery-dl\`, scripts/setup.sh)`)
  }
  const where = `${(await locate(command)) ?? command}${KIND_NOTE[kind]}`
  return check('gallery_dl', CheckStatus.ok, `gallery-dl ${status.version ?? '(unknown version)'} at ${where}`)
}

/**
 * Whether yt-dlp can impersonate browsers (some sites refuse anything else): it needs curl_cffi,
 * which the standalone release builds bundle; a yt-dlp without --list-impersonate-targets is too old.
 */
export async function checkImpersonation(ytdlpPath: string): Promise<CheckResult> {
  let output: string
  try {
    const { stdout, stderr } = await execFileAsync(ytdlpPath, ['--ignore-config', '--list-impersonate-targets'], { timeout: 60_000 })
    output = `${stdout}\n${stderr}`
  } catch (err) {
    const text = String((err as { stderr?: string }).stderr ?? '')
    const reason = /no such option/.test(text) ? 'this yt-dlp is too old to know --list-impersonate-targets' : 'yt-dlp could not be asked'
    return check('impersonation', CheckStatus.warn, `yt-dlp cannot impersonate browsers: ${reason}; the managed yt-dlp (ytdlp.path: auto) can`)
  }
  const usable = output.split('\n').filter((line) => /curl_cffi/.test(line) && !/unavailable/.test(line))
  if (usable.length > 0) return check('impersonation', CheckStatus.ok, `yt-dlp can impersonate browsers (curl_cffi: ${usable.length} targets)`)
  return check('impersonation', CheckStatus.warn, 'yt-dlp cannot impersonate browsers: curl_cffi is not installed for it; the standalone builds the managed yt-dlp uses bundle it (or `pipx inject yt-dlp curl_cffi`)')
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
