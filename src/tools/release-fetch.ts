// HTTP for releases: the checksum list as text, an asset streamed to a file while it is hashed.
// Bounded in time and size; redirects are followed (GitHub sends assets from another host).
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'

/** A release file that could not be fetched; `status` is the HTTP status when there was an answer. */
export class ReleaseFetchError extends Error {
  override name = 'ReleaseFetchError'
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
  }
}

export interface FetchLimits {
  timeoutMs: number
  maxBytes: number
  /** aborts the transfer early (server shutdown) */
  signal?: AbortSignal
}

/** The same fetch the rest of Node uses; tests pass their own to count or fail requests. */
export type FetchFunction = typeof fetch

// GitHub may answer 200 with an HTML error page instead of the asset (yt-dlp's updater checks this too).
const HTML_PAGE = /<!DOCTYPE html>|<html[\s>]/i

async function get(url: string, limits: FetchLimits, fetchFn: FetchFunction): Promise<Response> {
  let response: Response
  try {
    response = await fetchFn(url, { redirect: 'follow', signal: limits.signal ? AbortSignal.any([AbortSignal.timeout(limits.timeoutMs), limits.signal]) : AbortSignal.timeout(limits.timeoutMs), headers: { 'user-agent': 'video-download-server' } })
  } catch (err) {
    throw new ReleaseFetchError(`cannot reach ${new URL(url).host}: ${describeCause(err)}`)
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined)
    throw new ReleaseFetchError(`${url} answered HTTP ${response.status}`, response.status)
  }
  const length = Number(response.headers.get('content-length') ?? '0')
  if (length > limits.maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new ReleaseFetchError(`${url} is ${length} bytes, more than the ${limits.maxBytes} allowed`)
  }
  return response
}

/** A small text file (the checksum list). */
export async function fetchReleaseText(url: string, limits: FetchLimits, fetchFn: FetchFunction = fetch): Promise<string> {
  const response = await get(url, limits, fetchFn)
  const text = await response.text().catch((err: unknown) => {
    throw new ReleaseFetchError(`reading ${url} failed: ${describeCause(err)}`)
  })
  if (text.length > limits.maxBytes) throw new ReleaseFetchError(`${url} is larger than ${limits.maxBytes} bytes`)
  if (HTML_PAGE.test(text.slice(0, 512))) throw new ReleaseFetchError(`${url} sent a web page instead of the file`)
  return text
}

/** What was written: its SHA-256, size and the URL it finally came from (after redirects). */
export interface DownloadedAsset {
  sha256: string
  bytes: number
  finalUrl: string
}

/** Streams an asset into `dest` (created with mode 0700), hashing it; removes `dest` on any failure. */
export async function downloadReleaseAsset(url: string, dest: string, limits: FetchLimits, fetchFn: FetchFunction = fetch): Promise<DownloadedAsset> {
  const response = await get(url, limits, fetchFn)
  if (!response.body) throw new ReleaseFetchError(`${url} sent no body`)
  const hash = createHash('sha256')
  let bytes = 0
  let head = ''
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (head.length < 512) head += chunk.subarray(0, 512).toString('latin1')
      if (bytes > limits.maxBytes) return callback(new ReleaseFetchError(`${url} is larger than ${limits.maxBytes} bytes`))
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(dest, { mode: 0o700 }))
  } catch (err) {
    await rm(dest, { force: true })
    throw err instanceof ReleaseFetchError ? err : new ReleaseFetchError(`downloading ${url} failed: ${describeCause(err)}`)
  }
  if (HTML_PAGE.test(head.slice(0, 512))) {
    await rm(dest, { force: true })
    throw new ReleaseFetchError(`${url} sent a web page instead of the file`)
  }
  return { sha256: hash.digest('hex'), bytes, finalUrl: response.url || url }
}

/** fetch's "fetch failed" hides the reason (DNS, refused, timeout) in `cause`. */
function describeCause(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } }
  if (error.name === 'TimeoutError') return 'timed out'
  return error.cause?.code ?? error.cause?.message ?? error.message
}
