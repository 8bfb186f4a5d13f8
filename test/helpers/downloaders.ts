// The downloader builds the engine tests run against: the system's (Debian 12: yt-dlp 2023.03.04,
// gallery-dl 1.25.3) and the current ones that scripts/current-downloaders.sh unpacks into
// .cache/downloaders. In CI both must be there; a developer without the current ones runs the system's.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const CURRENT_DIR = fileURLToPath(new URL('../../.cache/downloaders/', import.meta.url))

export interface DownloaderBuild {
  /** `system` or `current` */
  name: string
  ytdlp: string
  galleryDl: string
  /** the unpacked build's yt-dlp Python packages (to run it with more on PYTHONPATH); null for the system's */
  ytdlpPackages: string | null
}

let builds: DownloaderBuild[] | undefined

/** Every build to run engine tests against, the system's first. */
export function downloaderBuilds(): DownloaderBuild[] {
  if (builds) return builds
  builds = [{ name: 'system', ytdlp: 'yt-dlp', galleryDl: 'gallery-dl', ytdlpPackages: null }]
  const current = {
    name: 'current',
    ytdlp: `${CURRENT_DIR}yt-dlp`,
    galleryDl: `${CURRENT_DIR}gallery-dl`,
    // where scripts/current-downloaders.sh unpacks the package (dpkg -x)
    ytdlpPackages: `${CURRENT_DIR}yt-dlp.d/usr/lib/python3/dist-packages`,
  }
  if (existsSync(current.ytdlp) && existsSync(current.galleryDl)) builds.push(current)
  else if (process.env.CI) throw new Error('current downloaders missing: run scripts/current-downloaders.sh (setup.sh --test does)')
  return builds
}

/** `--version` of a downloader, e.g. 2023.03.04. */
export function downloaderVersion(command: string): string {
  return execFileSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
}
