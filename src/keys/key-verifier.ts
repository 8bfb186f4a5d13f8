// Key material: generation, hashing, and the constant-time lookup used on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Config } from '../core/config.js'
import type { ApiKeysRepository } from '../db/api-keys-repository.js'
import { KeyScope, type Principal } from '../core/types.js'

const KEY_PREFIX = 'vds_'

/** 32 random bytes: guessing is hopeless, so SHA-256 without salt or stretching is enough. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}

interface KnownKey {
  hash: Buffer
  principal: Principal
}

/** Keys from config: plain strings are named key-1, key-2, ...; all have the admin scope. */
export function configuredKeys(security: Config['security']): KnownKey[] {
  return security.api_keys.map((entry, index) => {
    const { name, key } = typeof entry === 'string' ? { name: `key-${index + 1}`, key: entry } : entry
    return { hash: hashApiKey(key), principal: { name, scope: KeyScope.admin } }
  })
}

export interface KeyVerifier {
  /** The principal for a presented key, or undefined. */
  verify(presented: string): Principal | undefined
  /** Re-read stored keys (after `vds keys add/revoke` in another process). */
  reload(): void
  /** How many keys can currently be used. */
  count(): number
  /**
   * A value derived from the usable key with this name (from its hash), or undefined when no such
   * key can be used. Signed file links include it: revoking the key, or replacing it under the same
   * name, changes or removes it, and the key's links stop working.
   */
  linkMarker(name: string): string | undefined
}

/**
 * Compares the presented key's SHA-256 digest with every known digest using timingSafeEqual and
 * without stopping at the first match, so timing tells nothing about which or how many bytes match.
 *
 * Keys added or revoked by `vds keys` in another process, or by a pairing on the writer thread, are
 * seen on the next request without a restart: a verify reads api_keys_version (a counter the triggers
 * of migration 6 bump with every change to api_keys), and only when it moved since the last look are
 * the stored keys re-read. The counter, not SQLite's data_version: with the writer thread every commit
 * (each submission, each progress line) comes from another connection, so data_version moves
 * all the time and would re-read the keys up to once per turn of the event loop under load.
 * The counter is read once per turn (requests parsed together share it), so a revocation still takes
 * effect at once; reloading only on a miss would never notice a revocation, because a revoked key
 * still matches the cached list.
 */
export function createKeyVerifier(security: Config['security'], repo: ApiKeysRepository): KeyVerifier {
  const fromConfig = configuredKeys(security)
  let known: KnownKey[] = []
  let markers = new Map<string, string>()
  let seenVersion = -1
  let checkedThisTurn = false
  const checkForChanges = () => {
    if (checkedThisTurn) return
    checkedThisTurn = true
    setImmediate(() => {
      checkedThisTurn = false
    })
    if (repo.keysVersion() !== seenVersion) reload()
  }
  const reload = () => {
    // The version is taken as seen only once the keys are read: a read the database refused (503
    // for this request) is tried again by the next one instead of leaving the old keys in place.
    const version = repo.keysVersion()
    const stored = repo.listActive().map((row) => ({
      hash: Buffer.from(row.key_hash, 'hex'),
      principal: { name: row.name, scope: row.scope },
    }))
    known = [...fromConfig, ...stored]
    seenVersion = version
    markers = new Map()
    for (const { hash, principal } of known) {
      if (!markers.has(principal.name)) markers.set(principal.name, createHash('sha256').update('vds-link-marker').update(hash).digest('base64url'))
    }
  }
  reload()
  return {
    verify(presented) {
      checkForChanges()
      const digest = hashApiKey(presented)
      let match: Principal | undefined
      for (const candidate of known) {
        if (timingSafeEqual(candidate.hash, digest) && !match) match = candidate.principal
      }
      return match
    },
    reload,
    count: () => known.length,
    linkMarker(name) {
      checkForChanges()
      return markers.get(name)
    },
  }
}

/**
 * First start with require_api_key and no key anywhere: make one, store its hash, and return it so
 * the caller can print it once. Returns undefined when nothing had to be made.
 */
export async function ensureFirstApiKey(security: Config['security'], repo: ApiKeysRepository): Promise<string | undefined> {
  if (!security.require_api_key || security.api_keys.length > 0 || repo.list().length > 0) return undefined
  return createStoredApiKey(repo, 'default', KeyScope.admin)
}

/**
 * Makes a new key and stores only its hash (settles after the commit). Returns the key, to be shown
 * once, or undefined when the name is taken.
 */
export async function createStoredApiKey(repo: Pick<ApiKeysRepository, 'add'>, name: string, scope: KeyScope): Promise<string | undefined> {
  const key = generateApiKey()
  return (await repo.add(name, hashApiKey(key).toString('hex'), scope)) ? key : undefined
}
