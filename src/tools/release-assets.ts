// Which file of a release to fetch, and where: the official GitHub release layout that yt-dlp's own
// updater uses ({base}/latest/download/{asset}, {base}/download/{tag}/{asset}, SHA2-256SUMS beside
// them). A mirror only has to copy that layout to be usable as tools.ytdlp_release_url.

/** The two downloaders the server can keep current. */
export const ToolName = { ytdlp: 'yt-dlp', galleryDl: 'gallery-dl' } as const
export type ToolName = (typeof ToolName)[keyof typeof ToolName]

/** Official release pages by channel; tools.ytdlp_release_url replaces them. */
export const OFFICIAL_RELEASES = {
  ytdlp: {
    stable: 'https://github.com/yt-dlp/yt-dlp/releases',
    nightly: 'https://github.com/yt-dlp/yt-dlp-nightly-builds/releases',
  },
  // gallery-dl has one release stream; its nightly builds live elsewhere without checksums.
  galleryDl: 'https://github.com/mikf/gallery-dl/releases',
} as const

/** The checksum file published beside every yt-dlp release asset. */
export const CHECKSUMS_FILE = 'SHA2-256SUMS'

/** The machine a release is picked for (process.platform, process.arch, python3's version). */
export interface PlatformFacts {
  platform: NodeJS.Platform
  arch: string
  /** [major, minor] of python3, null when there is none */
  python: [number, number] | null
}

/** The zipapp needs python3 ≥ 3.9 (what yt-dlp supports at least). */
const MIN_PYTHON: [number, number] = [3, 9]

/**
 * yt-dlp's asset for this machine: the standalone builds (they bundle Python and curl_cffi) where
 * one exists, else the platform-independent zipapp when python3 is new enough; null when neither fits.
 */
export function ytdlpAsset(facts: PlatformFacts): string | null {
  if (facts.platform === 'linux' && facts.arch === 'x64') return 'yt-dlp_linux'
  if (facts.platform === 'linux' && facts.arch === 'arm64') return 'yt-dlp_linux_aarch64'
  if (facts.platform === 'darwin') return 'yt-dlp_macos' // a universal build: Intel and Apple silicon
  if (facts.platform === 'win32') return 'yt-dlp.exe'
  return pythonIsEnough(facts.python) ? 'yt-dlp' : null
}

/** gallery-dl publishes standalone builds only for Linux x86_64 and Windows; elsewhere the installed one is used. */
export function galleryDlAsset(facts: PlatformFacts): string | null {
  if (facts.platform === 'linux' && facts.arch === 'x64') return 'gallery-dl.bin'
  if (facts.platform === 'win32') return 'gallery-dl.exe'
  return null
}

function pythonIsEnough(version: [number, number] | null): boolean {
  if (!version) return false
  const [major, minor] = version
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])
}

/** URL of one file of a release: the latest one, or the tag given. */
export function releaseFileUrl(base: string, tag: string | null, file: string): string {
  const root = base.replace(/\/+$/, '')
  const where = tag === null ? 'latest/download' : `download/${encodeURIComponent(tag)}`
  return `${root}/${where}/${encodeURIComponent(file)}`
}

/**
 * Reads a SHA2-256SUMS file ("<hex>  <name>" per line, "*<name>" in binary mode) into name → hash.
 * Names are matched exactly: "yt-dlp" must not pick up the line of "yt-dlp_linux".
 */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line)
    if (match) sums.set(match[2]!, match[1]!.toLowerCase())
  }
  return sums
}

/** Release dates are yt-dlp's versions: 2026.10.26, or 2026.10.26.232857 for nightlies. */
export function releaseDate(version: string | null): Date | null {
  const match = version ? /^(\d{4})\.(\d{2})\.(\d{2})/.exec(version) : null
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Whole days since the release the version names; null when the version is not a date. */
export function ageDays(version: string | null, now: Date): number | null {
  const released = releaseDate(version)
  return released ? Math.max(0, Math.floor((now.getTime() - released.getTime()) / DAY_MS)) : null
}
