// What gallery-dl tells us: one stdout line per file (its path; "# path" when the file was already
// there), and with --write-metadata a "<file>.json" beside each file holding the post's fields.
// Field names differ per site; postFacts reads the common ones.
import { readFile, stat } from 'node:fs/promises'

/** A file gallery-dl reported, with its metadata (empty when the JSON was missing or unreadable). */
export interface GalleryDlFile {
  path: string
  metadata: Record<string, unknown>
}

/** What the post says about itself, in the shape the rest of the engine uses. */
export interface GalleryDlPostFacts {
  title: string | null
  uploader: string | null
  upload_date: string | null
  video_id: string | null
  extractor: string | null
  duration_seconds: number | null
}

const SKIPPED_PREFIX = '# '
/** A metadata file larger than this is not read: no post needs it, a hostile one might. */
const MAX_METADATA_BYTES = 1024 * 1024
const TITLE_MAX_CHARACTERS = 300
/** gallery-dl's category → yt-dlp's extractor name, so the same post dedupes across downloaders. */
const EXTRACTOR_NAMES: Record<string, string> = { tiktok: 'TikTok', instagram: 'Instagram' }

/** The file path a stdout line names, or undefined for other lines. */
export function parseFileLine(line: string): string | undefined {
  const text = line.startsWith(SKIPPED_PREFIX) ? line.slice(SKIPPED_PREFIX.length) : line
  return text.startsWith('/') ? text : undefined
}

/** Reads `<file>.json`; {} when it is missing, too big or not a JSON object. */
export async function readFileMetadata(filePath: string): Promise<Record<string, unknown>> {
  const jsonPath = `${filePath}.json`
  try {
    if ((await stat(jsonPath)).size > MAX_METADATA_BYTES) return {}
    const data: unknown = JSON.parse(await readFile(jsonPath, 'utf8'))
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** The post's facts from the first file's metadata. */
export function postFacts(metadata: Record<string, unknown>): GalleryDlPostFacts {
  const category = text(metadata.category)
  const title = firstText(metadata, ['title', 'description', 'desc', 'content'])
  return {
    title: title === null ? null : title.split('\n')[0]!.trim().slice(0, TITLE_MAX_CHARACTERS) || null,
    uploader: uploaderOf(metadata),
    upload_date: text(metadata.date),
    video_id: firstText(metadata, ['post_shortcode', 'shortcode', 'post_id', 'id']) ?? text(metadata.filename),
    extractor: category === null ? null : (EXTRACTOR_NAMES[category] ?? category),
    duration_seconds: typeof metadata.duration === 'number' && Number.isFinite(metadata.duration) ? metadata.duration : null,
  }
}

/** width and height of one file when the site said. */
export function fileDimensions(metadata: Record<string, unknown>): { width: number | null; height: number | null } {
  const size = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null)
  return { width: size(metadata.width), height: size(metadata.height) }
}

function uploaderOf(metadata: Record<string, unknown>): string | null {
  const direct = firstText(metadata, ['uploader', 'username', 'user', 'author', 'owner'])
  if (direct !== null) return direct
  for (const key of ['author', 'user', 'owner']) {
    const value = metadata[key]
    if (typeof value === 'object' && value !== null) {
      const found = firstText(value as Record<string, unknown>, ['uniqueId', 'username', 'name', 'nickname', 'nick'])
      if (found !== null) return found
    }
  }
  return null
}

function firstText(data: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = text(data[key])
    if (value !== null) return value
  }
  return null
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}
