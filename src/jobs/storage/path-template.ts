// storage.path_template → the folders and base name of a download below the downloads folder.
// Every value a site controls (title, uploader, id) is made safe before it becomes part of a path:
// no "/" or "\" (a value never adds a folder), no control or direction-changing characters, no
// leading dots (nothing hidden, never "." or ".."), at most PART_MAX_BYTES per folder or name.
// Ordinary titles stay readable: "...wait for it" becomes "…wait for it", not "_" or "wait_for_it".

/** The fields a template may use. */
export const PATH_FIELDS = ['site', 'uploader', 'title', 'video_id', 'date', 'download_id'] as const
export type PathField = (typeof PATH_FIELDS)[number]
export type PathFields = Record<PathField, string>

/** Longest folder or base name, in UTF-8 bytes; the unique suffix and extension come on top. */
export const PART_MAX_BYTES = 120
const ELLIPSIS = '…'
const EMPTY_PART = '_'

/** A run of leading or trailing dots; one dot goes, two or more read as an ellipsis. */
const EDGE_DOTS = /^\.+|\.+$/g
/** C0/C1 controls, and the bidirectional controls that can make "gpj.exe" look like "exe.jpg". */
const UNSAFE_CHARACTERS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu
const SEPARATORS = /[/\\]/g
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Matches a template that uses only known fields (for the config schema). */
export const PATH_TEMPLATE_PATTERN = `^(?:[^{}]|\\{(?:${PATH_FIELDS.join('|')})\\})+$`

/**
 * Renders the template into path parts (folders, then the base name without extension), each one
 * safe. Empty template folders are dropped; the result has at least one part.
 */
export function renderPathTemplate(template: string, fields: PathFields): string[] {
  const values = Object.fromEntries(PATH_FIELDS.map((name) => [name, safeValue(fields[name])])) as PathFields
  const parts = template
    .split('/')
    .filter((segment) => segment.trim() !== '')
    .map((segment) => renderPart(segment, values))
  return parts.length > 0 ? parts : [EMPTY_PART]
}

/** One value made safe to stand inside a path part (it may still need the part rules). */
export function safeValue(value: string): string {
  return value
    .replace(SEPARATORS, '-')
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(/\s+/gu, ' ')
    .trim()
}

/** Applies the part rules to text that holds no separator: edges, length, never empty. */
export function safePart(text: string): string {
  const edged = safeValue(text)
    .replace(EDGE_DOTS, (dots) => (dots.length > 1 ? ELLIPSIS : ''))
    .trim()
  const cut = cutToBytes(edged, PART_MAX_BYTES).trim()
  return cut === '' ? EMPTY_PART : cut
}

/**
 * Fills one template segment. When it is too long, the room left by the literal text is shared
 * between its fields: each gets an equal share, a field shorter than its share keeps all of it and
 * leaves the rest to the others, and a field cut ends in "…". So "{title} [{video_id}]" keeps a
 * usual id whole and a readable start of any title, and a 300-byte title with a 100-byte id keeps
 * the start of both — never one field eaten up to make room for another.
 */
function renderPart(segment: string, values: PathFields): string {
  const pieces = segment.split(/(\{[a-z_]+\})/).filter((piece) => piece !== '')
  const fieldOf = (piece: string) => (/^\{[a-z_]+\}$/.test(piece) ? (piece.slice(1, -1) as PathField) : undefined)
  const texts = pieces.map((piece) => {
    const field = fieldOf(piece)
    return field && field in values ? values[field] : piece
  })
  if (byteLength(safePartUncut(texts.join(''))) <= PART_MAX_BYTES) return safePart(texts.join(''))
  const fields = pieces.flatMap((piece, index) => (fieldOf(piece) === undefined ? [] : [index]))
  const literalBytes = byteLength(texts.filter((_, index) => !fields.includes(index)).join(''))
  const shares = fairShares(fields.map((index) => byteLength(texts[index]!)), PART_MAX_BYTES - literalBytes)
  for (const [n, index] of fields.entries()) {
    const text = texts[index]!
    if (byteLength(text) <= shares[n]!) continue
    const keep = shares[n]! - byteLength(ELLIPSIS)
    texts[index] = keep <= 0 ? '' : `${cutToBytes(text, keep).trimEnd()}${ELLIPSIS}`
  }
  // Trimming and edge dots can only make it shorter; safePart's own cut is the last guard.
  return safePart(texts.join(''))
}

/** Splits `room` bytes between values of these sizes: equal shares, what a small one leaves goes to the rest. */
function fairShares(sizes: readonly number[], room: number): number[] {
  const shares = sizes.map(() => 0)
  let left = Math.max(room, 0)
  const open = sizes.map((_, index) => index).sort((a, b) => sizes[a]! - sizes[b]!)
  while (open.length > 0) {
    const share = Math.floor(left / open.length)
    const smallest = open[0]!
    if (sizes[smallest]! > share) {
      for (const index of open) shares[index] = share
      break
    }
    shares[smallest] = sizes[smallest]!
    left -= sizes[smallest]!
    open.shift()
  }
  return shares
}

function safePartUncut(text: string): string {
  return safeValue(text).replace(EDGE_DOTS, (dots) => (dots.length > 1 ? ELLIPSIS : '')).trim()
}

/** The longest prefix of whole characters (grapheme clusters: emoji stay whole) within maxBytes. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text
  let out = ''
  let used = 0
  for (const { segment } of segmenter.segment(text)) {
    const size = byteLength(segment)
    if (used + size > maxBytes) break
    out += segment
    used += size
  }
  return out
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
