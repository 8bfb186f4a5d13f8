// Moves a finished post from its work folder to where storage.path_template says, without ever
// overwriting: a name is taken by creating it exclusively (O_EXCL for a file, mkdir for an album
// folder), so two downloads that render the same name — two videos with one title, or one video
// downloaded twice — get "name.mp4" and "name (2).mp4", even when they finish at the same moment.
// The move itself is a rename onto the placeholder we own (the work folder is on the same disk).
import { mkdir, open, realpath, rename, rm, rmdir } from 'node:fs/promises'
import path from 'node:path'
import { confineFolder, relativeInside } from '../output-paths.js'

/** A finished file in the work folder and the extension it keeps. */
export interface FileToPlace {
  /** absolute path in the job's work folder */
  source: string
  /** without the dot, e.g. "mp4" */
  extension: string
}

/** Suffixes tried after the plain name, before falling back to the job id. */
const MAX_NUMBERED_SUFFIX = 999

/**
 * Places the files and returns their paths relative to the downloads folder, in the same order.
 * One file: `<folders>/<name>.<ext>`. Several (an album): `<folders>/<name>/01.<ext>`, `02.<ext>`, ...
 * `uniqueTail` (e.g. the job id) ends the name when every numbered suffix is taken.
 */
export async function placeFiles(downloadsDir: string, parts: readonly string[], files: readonly FileToPlace[], uniqueTail: string): Promise<string[]> {
  if (files.length === 0) throw new Error('nothing to place')
  const root = path.resolve(downloadsDir)
  const folders = parts.slice(0, -1)
  const name = parts.at(-1)!
  await mkdir(path.join(root, ...folders), { recursive: true })
  // A folder could be a symlink somebody made by hand: the files must still land inside.
  const parent = await confineFolder(root, path.join(root, ...folders))
  const placed: string[] = []
  try {
    if (files.length === 1) {
      const file = files[0]!
      const target = await reserveName(parent, name, uniqueTail, (base) => `${base}.${file.extension}`, reserveFile)
      await rename(file.source, target)
      placed.push(target)
    } else {
      const album = await reserveName(parent, name, uniqueTail, (base) => base, reserveFolder)
      const width = Math.max(2, String(files.length).length)
      for (const [index, file] of files.entries()) {
        const target = path.join(album, `${String(index + 1).padStart(width, '0')}.${file.extension}`)
        await rename(file.source, target)
        placed.push(target)
      }
    }
  } catch (err) {
    await Promise.all(placed.map((target) => rm(target, { force: true })))
    if (files.length > 1 && placed[0]) await rmdir(path.dirname(placed[0])).catch(() => {})
    throw err
  }
  const realRoot = await realpath(root)
  return placed.map((target) => relativeInside(realRoot, target) ?? path.relative(root, target))
}

/**
 * Moves `file` next to an already placed file as `<its name>.original.<ext>` (downloads.keep_original),
 * never overwriting; returns the new absolute path.
 */
export async function placeBeside(placed: string, file: FileToPlace, uniqueTail: string): Promise<string> {
  const stem = path.basename(placed, path.extname(placed))
  const target = await reserveName(path.dirname(placed), `${stem}.original`, uniqueTail, (base) => `${base}.${file.extension}`, reserveFile)
  await rename(file.source, target)
  return target
}

type Reserve = (candidate: string) => Promise<boolean>

/** First free name among `name`, `name (2)`, ... `name (999)`, `name [tail]`; the winner is created. */
async function reserveName(parent: string, name: string, uniqueTail: string, finalName: (base: string) => string, reserve: Reserve): Promise<string> {
  for (let n = 1; n <= MAX_NUMBERED_SUFFIX; n++) {
    const candidate = path.join(parent, finalName(n === 1 ? name : `${name} (${n})`))
    if (await reserve(candidate)) return candidate
  }
  const last = path.join(parent, finalName(`${name} [${uniqueTail}]`))
  if (await reserve(last)) return last
  throw new Error(`no free name for ${name} in ${parent}`)
}

const reserveFile: Reserve = async (candidate) => {
  try {
    await (await open(candidate, 'wx')).close()
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

const reserveFolder: Reserve = async (candidate) => {
  try {
    await mkdir(candidate)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}
