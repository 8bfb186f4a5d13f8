// Sending one file of a download: the key-protected file routes and signed links share this, so
// they answer Range, Content-Type, Content-Disposition and errors the same way.
import { stat } from 'node:fs/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../core/errors.js'
import type { DownloadFileRow } from '../core/types.js'
import { confineToDownloads } from '../jobs/output-paths.js'

export type Disposition = 'inline' | 'attachment'

/** RFC 6266: a plain ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(filename: string, disposition: Disposition = 'inline'): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

export const fileGone = () => new AppError('not_found', 'The file of this download is no longer on disk')

/** A Range header of the one form this server answers: `bytes=` and ranges of digits. */
const BYTE_RANGES = /^bytes=\s*(\d+-\d*|\d*-\d+)\s*(,\s*(\d+-\d*|\d*-\d+)\s*)*$/i

/**
 * True when a `Range: bytes=...` header names no byte of a file of `size` bytes (RFC 9110 §14.1.2:
 * every range starts past the end, or asks for an empty suffix). Other Range headers (other units,
 * bad syntax) are ignored and the whole file is sent, as the file sender does.
 */
export function rangeUnsatisfiable(header: string | undefined, size: number): boolean {
  if (header === undefined) return false
  const match = /^bytes=(.+)$/i.exec(header.trim())
  if (!match?.[1]) return false
  const ranges = match[1].split(',').map((part) => /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(part))
  if (ranges.some((range) => range === null || (range[1] === '' && range[2] === ''))) return false
  return ranges.every((range) => {
    const [, start = '', end = ''] = range!
    if (start === '') return Number(end) === 0 || size === 0
    return Number(start) >= size || (end !== '' && Number(end) < Number(start))
  })
}

// Streams the file: 206 for a Range, 416 (with Content-Range "bytes */size") out of range.
export async function sendDownloadFile(
  request: FastifyRequest,
  reply: FastifyReply,
  downloadsDir: string,
  file: DownloadFileRow,
  disposition: Disposition,
) {
  // Only a regular file still inside the downloads folder is ever sent.
  const relative = await confineToDownloads(downloadsDir, file.file_path).catch(() => undefined)
  if (!relative) throw fileGone()
  const { size } = await stat(`${downloadsDir}/${relative}`).catch(() => {
    throw fileGone()
  })
  // A Range header this server cannot read is ignored (RFC 9110 §14.2 allows it): the whole file.
  const range = request.headers.range
  if (range !== undefined && !BYTE_RANGES.test(range.trim())) delete request.raw.headers.range
  else if (rangeUnsatisfiable(range, size)) {
    throw new AppError('range_not_satisfiable', `The file has ${size} bytes; ask for a range inside it`, {
      'content-range': `bytes */${size}`,
    })
  }
  reply.header('content-disposition', contentDisposition(file.filename, disposition))
  reply.header('content-type', file.content_type)
  return reply.sendFile(relative, downloadsDir, { dotfiles: 'allow', cacheControl: false, contentType: false })
}
