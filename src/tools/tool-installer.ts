// One check of one downloader against its release: compare the published SHA-256 with the
// installed file, and when they differ download the new one to a temp file, verify its hash and
// that `--version` runs, then move it into place. Nothing here replaces a working downloader with
// a file that failed any of those steps; the caller saves the returned record atomically.
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { CHECKSUMS_FILE, parseChecksums, releaseFileUrl, type ToolName } from './release-assets.js'
import { downloadReleaseAsset, fetchReleaseText, ReleaseFetchError, type FetchFunction, type FetchLimits } from './release-fetch.js'
import type { InstalledTool, ToolRecord } from './tool-state.js'

const execFileAsync = promisify(execFile)

/** Where one downloader comes from. */
export interface ToolSource {
  name: ToolName
  /** file name in the release, e.g. yt-dlp_linux */
  asset: string
  /** release base in GitHub's layout, e.g. https://github.com/yt-dlp/yt-dlp/releases */
  baseUrl: string
  /** pinned tag, or null for the latest release */
  tag: string | null
  /** yt-dlp always publishes SHA2-256SUMS; gallery-dl does not, so its file is compared by content */
  requireChecksums: boolean
}

/** The result of one check. */
export interface CheckOutcome {
  /** the check itself worked (a release was reached and judged) */
  ok: boolean
  /** a new file is now the current one */
  updated: boolean
  /** version of the current file after the check */
  version: string | null
  message: string
  /** the record to save */
  record: ToolRecord
}

export interface InstallerDeps {
  /** the tools folder */
  dir: string
  now: () => Date
  fetch?: FetchFunction
  checksumLimits: FetchLimits
  assetLimits: FetchLimits
  /** how long `--version` of a new file may take (a zipapp on a busy Pi is slow) */
  versionTimeoutMs: number
  /** aborts the check (server shutdown) */
  signal?: AbortSignal
}

/** Runs `<file> --version`; the first line, or throws with why it did not run. */
export async function readVersion(file: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const { stdout } = await execFileAsync(file, ['--version'], { timeout: timeoutMs, maxBuffer: 64 * 1024, env: { ...process.env, PYTHONIOENCODING: 'utf-8' }, ...(signal ? { signal } : {}) })
  const version = stdout.trim().split('\n')[0]?.trim() ?? ''
  if (!/^[\w.+-]{1,64}$/.test(version)) throw new Error(`--version printed ${JSON.stringify(version.slice(0, 80))}, not a version`)
  return version
}

/** SHA-256 of a file on disk. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Checks one downloader and installs its release when it differs from the installed file. */
export async function checkAndInstall(source: ToolSource, record: ToolRecord, deps: InstallerDeps): Promise<CheckOutcome> {
  const checkedAt = deps.now().toISOString()
  const finish = (ok: boolean, updated: boolean, message: string, next: Partial<ToolRecord> = {}): CheckOutcome => {
    const merged: ToolRecord = {
      ...record,
      ...next,
      last_check_at: checkedAt,
      last_check_ok: ok,
      last_check_message: message,
      failed_checks: ok ? 0 : record.failed_checks + 1,
    }
    return { ok, updated, version: merged.current?.version ?? null, message, record: merged }
  }
  const release = source.tag === null ? 'the latest release' : `release ${source.tag}`
  try {
    const limits = (base: FetchLimits): FetchLimits => (deps.signal ? { ...base, signal: deps.signal } : base)
    const expected = await publishedChecksum(source, { ...deps, checksumLimits: limits(deps.checksumLimits) })
    const current = record.current && existsSync(path.join(deps.dir, record.current.file)) ? record.current : null
    if (current && expected !== null && (await fileSha256(path.join(deps.dir, current.file))) === expected) {
      return finish(true, false, `${source.name} ${current.version} is ${release}`)
    }
    await mkdir(deps.dir, { recursive: true })
    const temp = path.join(deps.dir, `.download-${source.name}-${randomBytes(6).toString('hex')}`)
    const url = releaseFileUrl(source.baseUrl, source.tag, source.asset)
    const fetched = await downloadReleaseAsset(url, temp, limits(deps.assetLimits), deps.fetch)
    try {
      if (expected !== null && fetched.sha256 !== expected) {
        return finish(false, false, `${source.asset} of ${release} does not match its published SHA-256; kept ${describe(current, source.name)}`)
      }
      if (current && current.sha256 === fetched.sha256) return finish(true, false, `${source.name} ${current.version} is ${release}`)
      await chmod(temp, 0o755)
      let version: string
      try {
        version = await readVersion(temp, deps.versionTimeoutMs, deps.signal)
      } catch (err) {
        return finish(false, false, `${source.asset} of ${release} does not run (${shortReason(err)}); kept ${describe(current, source.name)}`)
      }
      const installed: InstalledTool = {
        file: `${source.name}-${safeName(version)}-${fetched.sha256.slice(0, 12)}${source.asset.endsWith('.exe') ? '.exe' : ''}`,
        version,
        sha256: fetched.sha256,
        tag: source.tag ?? tagFromUrl(fetched.finalUrl),
        asset: source.asset,
        installed_at: checkedAt,
      }
      await rename(temp, path.join(deps.dir, installed.file))
      const previous = current ?? record.previous
      await removeOldFiles(deps.dir, source.name, [installed.file, previous?.file])
      const from = current ? ` (was ${current.version})` : ''
      return finish(true, true, `installed ${source.name} ${version} from ${release}${from}`, { current: installed, previous })
    } finally {
      await rm(temp, { force: true })
    }
  } catch (err) {
    return finish(false, false, `update check failed: ${shortReason(err)}; kept ${describe(record.current, source.name)}`)
  }
}

/** The hash the release publishes for our asset; null when the release publishes none and none is required. */
async function publishedChecksum(source: ToolSource, deps: InstallerDeps): Promise<string | null> {
  let text: string
  try {
    text = await fetchReleaseText(releaseFileUrl(source.baseUrl, source.tag, CHECKSUMS_FILE), deps.checksumLimits, deps.fetch)
  } catch (err) {
    if (!source.requireChecksums && err instanceof ReleaseFetchError && err.status === 404) return null
    throw err
  }
  const sum = parseChecksums(text).get(source.asset)
  if (!sum) throw new Error(`${CHECKSUMS_FILE} of the release lists no ${source.asset}`)
  return sum
}

/** Keeps the files named in `keep`; removes this tool's other executables (older releases). */
async function removeOldFiles(dir: string, name: ToolName, keep: Array<string | undefined>): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[])
  const stale = entries.filter((file) => file.startsWith(`${name}-`) && !keep.includes(file))
  await Promise.all(stale.map((file) => rm(path.join(dir, file), { force: true })))
}

/** "/download/<tag>/<asset>" in the URL the latest release redirected to. */
function tagFromUrl(url: string): string | null {
  const match = /\/download\/([^/]+)\/[^/]+$/.exec(new URL(url).pathname)
  return match ? decodeURIComponent(match[1]!) : null
}

function describe(tool: InstalledTool | null, name: ToolName): string {
  return tool ? `${name} ${tool.version}` : 'the downloader in use'
}

function safeName(version: string): string {
  return version.replace(/[^\w.+-]/g, '_')
}

function shortReason(err: unknown): string {
  const error = err as Error & { code?: string | number; killed?: boolean }
  if (error.killed) return 'it did not finish in time'
  return (error.message ?? String(err)).split('\n')[0]!.slice(0, 200)
}
