// What is installed in <data_dir>/tools and how the last check went, in one small JSON file that
// is replaced atomically (write, fsync, rename). The file names the executable to run, so swapping
// the downloader is that one rename: attempts already running keep the file they started with.
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import path from 'node:path'
import type { ToolName } from './release-assets.js'

/** One verified executable in the tools folder. */
export interface InstalledTool {
  /** file name inside the tools folder */
  file: string
  /** what `--version` printed */
  version: string
  sha256: string
  /** release tag it came from; null when the release was "latest" and the tag was not visible */
  tag: string | null
  asset: string
  installed_at: string
}

/** The record of one downloader. */
export interface ToolRecord {
  current: InstalledTool | null
  /** the one before: kept on disk to fall back to */
  previous: InstalledTool | null
  last_check_at: string | null
  /** null before the first check */
  last_check_ok: boolean | null
  /** what the last check said, for a person */
  last_check_message: string | null
  /** failed checks in a row */
  failed_checks: number
}

export type ToolsState = Record<ToolName, ToolRecord>

export const TOOLS_DIR = 'tools'
const STATE_FILE = 'state.json'

export const emptyRecord = (): ToolRecord => ({
  current: null,
  previous: null,
  last_check_at: null,
  last_check_ok: null,
  last_check_message: null,
  failed_checks: 0,
})

export function toolsDir(dataDir: string): string {
  return path.join(dataDir, TOOLS_DIR)
}

/** The saved state; a missing or unreadable file is "nothing installed yet". */
export function readToolsState(dir: string): ToolsState {
  const state: ToolsState = { 'yt-dlp': emptyRecord(), 'gallery-dl': emptyRecord() }
  try {
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as Partial<ToolsState>
    for (const name of Object.keys(state) as ToolName[]) {
      if (saved[name] && typeof saved[name] === 'object') state[name] = { ...emptyRecord(), ...saved[name] }
    }
  } catch {
    // first start, or a file cut short by a crash before the rename: start from nothing
  }
  return state
}

/** Replaces the state file in one rename, after its content is on disk. */
export function writeToolsState(dir: string, state: ToolsState): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  const temp = path.join(dir, `.${STATE_FILE}.${randomBytes(6).toString('hex')}`)
  const fd = openSync(temp, 'w', 0o644)
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path.join(dir, STATE_FILE))
}
