// The signature of a file link: HMAC-SHA256 over everything the link stands for, so changing any
// part (another download, another file, a later expiry, another key) breaks it. The key's marker
// changes when the key is revoked or replaced, which is how revoking a key revokes its links.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** What one link opens: one file of one download, as recorded (its path binds the exact file). */
export interface LinkedFile {
  download_id: string
  idx: number
  file_path: string
}

/** Who the link was made for and until when. */
export interface LinkGrant {
  /** name of the API key that read the link (its client) */
  keyName: string
  /** changes when that key is revoked or replaced; never leaves the server */
  keyMarker: string
  /** unix seconds */
  expiresAt: number
}

const DOMAIN = 'vds-file-link-v1'

export function createFileLinkSigner(secret: Buffer) {
  const mac = (file: LinkedFile, grant: LinkGrant) =>
    createHmac('sha256', secret)
      // NUL separators: no field can contain one, so two different inputs never join into the same text.
      .update([DOMAIN, file.download_id, String(file.idx), file.file_path, grant.keyName, grant.keyMarker, String(grant.expiresAt)].join('\0'))
      .digest()

  return {
    /** The signature, base64url (43 characters). */
    sign(file: LinkedFile, grant: LinkGrant): string {
      return mac(file, grant).toString('base64url')
    },

    /** True when `signature` is this file's and grant's; compared in constant time. */
    verify(file: LinkedFile, grant: LinkGrant, signature: string): boolean {
      // Compared as text: base64url decoding skips stray characters, so an altered string could
      // decode to the right bytes.
      const expected = Buffer.from(mac(file, grant).toString('base64url'))
      const given = Buffer.from(signature)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}

export type FileLinkSigner = ReturnType<typeof createFileLinkSigner>
