// The values storage.path_template is filled with, from what the downloader learned about the
// post. Missing facts get a stand-in a person understands ("unknown", the job id), never "NA".
import { normalizeAllowedEntry } from '../../intake/url-policy.js'
import type { PathFields } from './path-template.js'

/** What the post told us; null when the downloader did not say. */
export interface PostFacts {
  title: string | null
  uploader: string | null
  video_id: string | null
  /** upload date as YYYYMMDD (yt-dlp) or an ISO timestamp (gallery-dl) */
  upload_date: string | null
}

export interface PathFieldsInput {
  facts: PostFacts
  url: string
  downloadId: string
  allowedDomains: readonly string[]
  now: Date
}

export function pathFieldsFor({ facts, url, downloadId, allowedDomains, now }: PathFieldsInput): PathFields {
  return {
    site: siteName(url, allowedDomains),
    uploader: facts.uploader ?? 'unknown',
    title: facts.title ?? facts.video_id ?? downloadId.slice(0, 8),
    video_id: facts.video_id ?? downloadId.slice(0, 8),
    date: isoDate(facts.upload_date) ?? now.toISOString().slice(0, 10),
    download_id: downloadId,
  }
}

/**
 * The site a link belongs to: the allowed_domains entry it matched (so vm.tiktok.com and
 * www.tiktok.com both file under "tiktok.com"), else its host without "www.".
 */
export function siteName(url: string, allowedDomains: readonly string[]): string {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '')
  } catch {
    return 'unknown'
  }
  const entries = allowedDomains
    .map((entry) => normalizeAllowedEntry(entry))
    .filter((entry): entry is string => entry !== undefined && entry !== '*')
    .sort((a, b) => b.length - a.length)
  const match = entries.find((entry) => host === entry || host.endsWith(`.${entry}`))
  return match ?? host.replace(/^www\./, '')
}

/** YYYYMMDD or an ISO date/time → YYYY-MM-DD; null when it is neither. */
export function isoDate(value: string | null): string | null {
  if (value === null) return null
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value)
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ]|$)/.exec(value)
  return iso ? iso[1]! : null
}
