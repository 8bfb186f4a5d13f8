// Checks made before a download starts, also used by the health route and `vds doctor`:
// is yt-dlp there, is there room on the disk, can ffmpeg merge formats.
import { execFile } from 'node:child_process'
import { constants } from 'node:fs'
import { access, statfs } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { HealthDisk, HealthDownloader } from '../core/shapes.js'

const execFileAsync = promisify(execFile)

/** Whether yt-dlp can be run, and which release it is (a date such as 2023.03.04). */
export type DownloaderStatus = HealthDownloader

/** Free space where downloads are written, against storage.min_free_disk_mb. */
export type DiskStatus = HealthDisk

/** Free bytes for an unprivileged user on the file system holding `dir`. */
export type FreeDiskBytes = (dir: string) => Promise<number>

const VERSION_TIMEOUT_MS = 15_000
const MB = 1024 * 1024

/** Runs `<ytdlpPath> --version`. Never throws: a missing or broken yt-dlp is `available: false`. */
export async function checkDownloader(ytdlpPath: string): Promise<DownloaderStatus> {
  try {
    const { stdout } = await execFileAsync(ytdlpPath, ['--version'], { timeout: VERSION_TIMEOUT_MS })
    const version = stdout.trim().split('\n')[0]?.trim()
    return { available: true, version: version || null }
  } catch {
    return { available: false, version: null }
  }
}

/**
 * Free space via statfs. The downloads folder may not exist before the first download, so the
 * nearest existing parent is asked instead: it is on the same file system the folder will be.
 */
export const statfsFreeBytes: FreeDiskBytes = async (dir) => {
  let current = path.resolve(dir)
  for (;;) {
    try {
      const stats = await statfs(current)
      return stats.bavail * stats.bsize
    } catch (err) {
      const parent = path.dirname(current)
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw err
      current = parent
    }
  }
}

/** Compares free space with the configured minimum. Never throws: an unreadable disk is not ok. */
export async function checkDisk(dir: string, minFreeMb: number, freeBytes: FreeDiskBytes = statfsFreeBytes): Promise<DiskStatus> {
  const min_free_bytes = minFreeMb * MB
  try {
    const free_bytes = await freeBytes(dir)
    return { free_bytes, min_free_bytes, ok: free_bytes >= min_free_bytes }
  } catch {
    return { free_bytes: null, min_free_bytes, ok: false }
  }
}

/** Absolute path of an executable found on PATH, or null. */
export async function findExecutable(name: string, searchPath = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this folder
    }
  }
  return null
}
