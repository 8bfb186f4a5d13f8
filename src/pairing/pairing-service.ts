// Pairing a phone (SPEC §2): an admin asks for a code; the phone opens /pair/{code} and claims its
// own API key with it, once. A code is 192 random bits, lives 15 minutes, and is stored only as
// its SHA-256, so the database never holds a usable code.
import { createHash, randomBytes } from 'node:crypto'
import type { Config } from '../core/config.js'
import { AppError } from '../core/errors.js'
import { publicBaseUrl } from '../core/public-address.js'
import type { KeyScope } from '../core/types.js'
import type { PairingRow, PairingsRepository } from '../db/pairings-repository.js'
import { configuredKeys, generateApiKey, hashApiKey, type KeyVerifier } from '../keys/key-verifier.js'

export const PAIRING_TTL_MS = 15 * 60 * 1000
const KEEP_USED_MS = 24 * 60 * 60 * 1000
/** base64url of 24 bytes */
export const PAIRING_CODE = /^[A-Za-z0-9_-]{32}$/

export interface NewPairing {
  code: string
  pair_url: string
  expires_at: string
}

export interface ClaimedKey {
  key: string
  name: string
  scope: KeyScope
  server_url: string
}

/** What a pairing page may show before the code is claimed. */
export type PairingState = { state: 'open'; row: PairingRow } | { state: 'expired' } | { state: 'unknown' }

export interface PairingServiceDeps {
  config: Config
  pairings: PairingsRepository
  keys: Pick<KeyVerifier, 'reload'>
  now?: () => Date
}

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex')

export const pairingExpired = () =>
  new AppError('pairing_expired')
export const pairingUnknown = () => new AppError('not_found', 'No such pairing link: check that it was copied whole')

export function createPairingService(deps: PairingServiceDeps) {
  const now = deps.now ?? (() => new Date())
  const baseUrl = () => publicBaseUrl(deps.config)

  const nameTaken = (name: string) =>
    new AppError('name_taken', `A key or an open pairing named "${name}" exists: pick another name, or revoke it first (vds keys revoke ${name})`)

  return {
    /**
     * A new single-use code for a key named `name`; 409 name_taken when a key or open pairing has that
     * name. Settles after the commit (a storage failure is a 503 and no code was made).
     */
    async create(name: string, scope: KeyScope): Promise<NewPairing> {
      // The config's keys are known here; the stored keys and pairings are checked in the same commit as the insert.
      if (configuredKeys(deps.config.security).some((key) => key.principal.name === name)) throw nameTaken(name)
      const at = now()
      const code = randomBytes(24).toString('base64url')
      const expiresAt = new Date(at.getTime() + PAIRING_TTL_MS).toISOString()
      const row = { code_hash: hashCode(code), name, scope, created_at: at.toISOString(), expires_at: expiresAt }
      if (!(await deps.pairings.create(row, new Date(at.getTime() - KEEP_USED_MS).toISOString()))) throw nameTaken(name)
      return { code, pair_url: `${baseUrl()}/pair/${code}`, expires_at: expiresAt }
    },

    /** Looks without using the code (the page, link previews). */
    peek(code: string): PairingState {
      if (!PAIRING_CODE.test(code)) return { state: 'unknown' }
      const row = deps.pairings.findByHash(hashCode(code))
      if (!row) return { state: 'unknown' }
      if (row.claimed_at !== null || row.expires_at <= now().toISOString()) return { state: 'expired' }
      return { state: 'open', row }
    },

    /**
     * Whether the page's Shortcut files may be fetched with this code: while it is open, and for
     * 15 minutes after its claim, since the phone adds the Shortcuts right after getting its key.
     * The files hold no key, so this only keeps them to people who were given a pairing link.
     */
    shortcutFilesState(code: string): PairingState['state'] {
      if (!PAIRING_CODE.test(code)) return 'unknown'
      const row = deps.pairings.findByHash(hashCode(code))
      if (!row) return 'unknown'
      const until = row.claimed_at === null ? Date.parse(row.expires_at) : Date.parse(row.claimed_at) + PAIRING_TTL_MS
      return until > now().getTime() ? 'open' : 'expired'
    },

    /** Uses the code: the device's key, once, after its commit. 410 when used or expired, 404 when unknown. */
    async claim(code: string): Promise<ClaimedKey> {
      const seen = this.peek(code)
      if (seen.state === 'unknown') throw pairingUnknown()
      if (seen.state === 'expired') throw pairingExpired()
      const { name, scope } = seen.row
      const key = generateApiKey()
      const outcome = await deps.pairings.claim(hashCode(code), now().toISOString(), hashApiKey(key).toString('hex'))
      if (outcome === 'name_taken') throw new AppError('name_taken', `A key named "${name}" was made meanwhile: ask for a new pairing with another name`)
      if (outcome === 'not_open') throw pairingExpired()
      // The verifier would see the new key at the next turn (api_keys_version); a request of this turn sees it too.
      deps.keys.reload()
      return { key, name, scope, server_url: baseUrl() }
    },
  }
}

export type PairingService = ReturnType<typeof createPairingService>
