// Which downloader the config asks for, and where its releases come from. `path: auto` with
// tools.managed means the server's own copy (where the platform has a release asset); any other
// path is the owner's and is never replaced.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Config } from '../core/config.js'
import { galleryDlAsset, OFFICIAL_RELEASES, ToolName, ytdlpAsset, type PlatformFacts } from './release-assets.js'
import type { ToolSource } from './tool-installer.js'

const execFileAsync = promisify(execFile)

/** The value of ytdlp.path / gallery_dl.path that lets the server choose. */
export const AUTO_PATH = 'auto'

/** Who decides which file runs. */
export const ToolKind = {
  /** the server's own copy in <data_dir>/tools, kept current */
  managed: 'managed',
  /** the installed one on PATH (auto, until a managed copy exists, or where none can be managed) */
  system: 'system',
  /** the configured path: the owner's, never touched */
  owner: 'owner',
} as const
export type ToolKind = (typeof ToolKind)[keyof typeof ToolKind]

/** The installed commands `auto` falls back to. */
export const SYSTEM_COMMANDS: Record<ToolName, string> = { 'yt-dlp': 'yt-dlp', 'gallery-dl': 'gallery-dl' }

export const TOOL_NAMES: readonly ToolName[] = [ToolName.ytdlp, ToolName.galleryDl]

/** The configured path of a downloader. */
export function configuredPath(name: ToolName, config: Config): string {
  return name === ToolName.ytdlp ? config.ytdlp.path : config.gallery_dl.path
}

/** True when the server may keep its own copy of this downloader (it still needs a release asset). */
export function wantsManaged(name: ToolName, config: Config): boolean {
  return config.tools.managed && configuredPath(name, config) === AUTO_PATH
}

/** Where the release of one downloader for this machine comes from; null when none can be managed. */
export function toolSource(name: ToolName, config: Config, facts: PlatformFacts): ToolSource | null {
  if (!wantsManaged(name, config)) return null
  if (name === ToolName.ytdlp) {
    const asset = ytdlpAsset(facts)
    if (!asset) return null
    return {
      name,
      asset,
      baseUrl: config.tools.ytdlp_release_url ?? OFFICIAL_RELEASES.ytdlp[config.tools.channel],
      tag: config.tools.ytdlp_version,
      requireChecksums: true,
    }
  }
  const asset = galleryDlAsset(facts)
  if (!asset) return null
  return { name, asset, baseUrl: config.tools.gallery_dl_release_url ?? OFFICIAL_RELEASES.galleryDl, tag: null, requireChecksums: false }
}

/** Why a downloader is not managed, for `vds tools status` and the API (no paths). */
export function unmanagedReason(name: ToolName, config: Config): string {
  if (configuredPath(name, config) !== AUTO_PATH) {
    const key = name === ToolName.ytdlp ? 'ytdlp.path' : 'gallery_dl.path'
    return `${key} names your own ${name}; the server runs it as it is and never replaces it`
  }
  if (!config.tools.managed) return `tools.managed is off: the installed ${name} is used; keep it current yourself`
  return `${name} publishes no build for this platform: the installed ${name} is used; keep it current with pipx or your package manager`
}

let pythonVersion: Promise<[number, number] | null> | undefined

/** This machine: platform, architecture and python3's version (asked once per process). */
export async function detectPlatform(): Promise<PlatformFacts> {
  pythonVersion ??= execFileAsync('python3', ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], { timeout: 10_000 })
    .then(({ stdout }) => {
      const [major, minor] = stdout.trim().split(' ').map(Number)
      return Number.isInteger(major) && Number.isInteger(minor) ? ([major!, minor!] as [number, number]) : null
    })
    .catch(() => null)
  return { platform: process.platform, arch: process.arch, python: await pythonVersion }
}
