// The web UI's session (SPEC §2): after the page presents a key once, the browser holds a signed
// cookie instead, so the key never stays in page script and <video>, <img> and EventSource are
// authenticated without headers. The cookie is stateless: it names the key and its scope, an expiry,
// and an HMAC over those plus the key's marker. The marker changes when the key is revoked or replaced
// (see keys/key-verifier.ts), so revoking a key ends every session made with it, on every server start.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { KeyScope, type Principal } from '../core/types.js'

/** `__Host-`: the browser keeps it only when Secure, Path=/ and no Domain, so no sibling host can set or widen it. */
export const SESSION_COOKIE = '__Host-vds_session'
/** The secret's file in <data_dir> (mode 0600, made once). */
export const SESSION_SECRET_FILE = 'sessions.secret'

const DOMAIN = 'vds-session-v1'
const SCOPES = new Set<string>([KeyScope.submit, KeyScope.admin])

export interface SessionTokensOptions {
  secret: Buffer
  ttlDays: number
  /** the marker of the usable key with this name, undefined when it was revoked */
  keyMarker: (name: string) => string | undefined
  now?: () => number
}

export interface IssuedSession {
  value: string
  expiresAt: Date
  maxAgeSeconds: number
}

export function createSessionTokens(options: SessionTokensOptions) {
  const now = options.now ?? Date.now
  const ttlSeconds = Math.round(options.ttlDays * 86_400)
  const mac = (name: string, scope: string, marker: string, expires: number) =>
    // NUL separators: no field can contain one, so two different inputs never join into the same text.
    createHmac('sha256', options.secret).update([DOMAIN, name, scope, marker, String(expires)].join('\0')).digest('base64url')

  return {
    /** A session for the key that just proved itself; undefined when the key has no marker (config-less anonymous). */
    issue(principal: Principal): IssuedSession | undefined {
      const marker = options.keyMarker(principal.name)
      if (marker === undefined) return undefined
      const expires = Math.floor(now() / 1000) + ttlSeconds
      const value = [Buffer.from(principal.name).toString('base64url'), principal.scope, String(expires), mac(principal.name, principal.scope, marker, expires)].join('.')
      return { value, expiresAt: new Date(expires * 1000), maxAgeSeconds: ttlSeconds }
    },

    /** The principal a cookie value stands for, or undefined (altered, expired, or its key revoked). */
    verify(value: string): Principal | undefined {
      const parts = value.split('.')
      if (parts.length !== 4) return undefined
      const [encodedName, scope, expiresText, signature] = parts as [string, string, string, string]
      const expires = Number(expiresText)
      if (!SCOPES.has(scope) || !/^\d{1,12}$/.test(expiresText) || expires * 1000 <= now()) return undefined
      const name = Buffer.from(encodedName, 'base64url').toString()
      const marker = options.keyMarker(name)
      if (marker === undefined) return undefined
      // Compared as text in constant time: base64url decoding skips stray characters.
      const expected = Buffer.from(mac(name, scope, marker, expires))
      const given = Buffer.from(signature)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
      return { name, scope: scope as KeyScope }
    },
  }
}

export type SessionTokens = ReturnType<typeof createSessionTokens>
