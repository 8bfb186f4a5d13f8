// Signed file links (the download object's `file_url`): a link that opens one file without a key
// or cookie, for Safari, <video>, Shortcuts and Photos. It names the key that read it and expires
// after security.file_link_ttl_hours; the signature covers the download, the file, the key (with a
// marker that changes when the key is revoked) and the expiry. See docs/api.md "Signed file links".
import type { DownloadFileRow } from '../core/types.js'
import { createFileLinkSigner, type LinkGrant } from './file-link-signer.js'

/** The path under which signed links are served; the route is open (the signature is the credential). */
export const FILE_LINK_PREFIX = '/api/v1/links'

/** The parts of a signed link as they arrive (all strings, unchecked). */
export interface PresentedLink {
  download_id: string
  index: number
  /** key name */
  k?: string | undefined
  /** expiry, unix seconds */
  exp?: string | undefined
  sig?: string | undefined
}

export type LinkCheck = { ok: true } | { ok: false; reason: 'malformed' | 'expired' | 'key_revoked' | 'bad_signature' }

export interface FileLinksOptions {
  secret: Buffer
  ttlHours: number
  /** the marker of a usable key (KeyVerifier.linkMarker); undefined once revoked */
  keyMarker: (keyName: string) => string | undefined
  /** with require_api_key off, links are made for the anonymous caller */
  requireApiKey: boolean
  /** unix milliseconds; tests move the clock */
  now?: () => number
}

const KEYS_OFF_MARKER = 'keys-off'
const HOUR_S = 3600

export function createFileLinks(options: FileLinksOptions) {
  const signer = createFileLinkSigner(options.secret)
  const now = options.now ?? Date.now
  const ttlSeconds = Math.max(1, Math.round(options.ttlHours * HOUR_S))
  // Expiries are rounded up (to the hour for the default 72 h), so status polls within that time
  // get the same link: players and caches see one URL per file. A link lives ttl to ttl + 10 %.
  const stepSeconds = Math.max(1, Math.min(HOUR_S, Math.floor(ttlSeconds / 10)))

  const markerOf = (keyName: string) => (options.requireApiKey ? options.keyMarker(keyName) : KEYS_OFF_MARKER)

  return {
    /**
     * The signed path of one file for a key (`/api/v1/links/<id>/<index>?k=..&exp=..&sig=..`),
     * or null when that key can no longer be used.
     */
    signedPath(file: DownloadFileRow, keyName: string, download = false): string | null {
      const keyMarker = markerOf(keyName)
      if (keyMarker === undefined) return null
      const expiresAt = Math.ceil((now() / 1000 + ttlSeconds) / stepSeconds) * stepSeconds
      const sig = signer.sign(file, { keyName, keyMarker, expiresAt })
      const query = new URLSearchParams({ k: keyName, exp: String(expiresAt), sig })
      if (download) query.set('download', '1')
      return `${FILE_LINK_PREFIX}/${file.download_id}/${file.idx}?${query}`
    },

    /** Checks a presented link against the file it names. */
    check(presented: PresentedLink, file: DownloadFileRow): LinkCheck {
      const { k, exp, sig } = presented
      if (!k || !exp || !sig || !/^\d{1,12}$/.test(exp)) return { ok: false, reason: 'malformed' }
      const grant: Omit<LinkGrant, 'keyMarker'> = { keyName: k, expiresAt: Number(exp) }
      if (grant.expiresAt * 1000 <= now()) return { ok: false, reason: 'expired' }
      const keyMarker = markerOf(k)
      if (keyMarker === undefined) return { ok: false, reason: 'key_revoked' }
      if (!signer.verify(file, { ...grant, keyMarker }, sig)) return { ok: false, reason: 'bad_signature' }
      return { ok: true }
    },
  }
}

export type FileLinks = ReturnType<typeof createFileLinks>
