// Key material: generation, hashing, and the constant-time lookup used on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Config } from './config.js'
import type { ApiKeysRepository } from './db/api-keys-repository.js'
import { KeyScope, type Principal } from './types.js'

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
}

/**
 * Compares the presented key's SHA-256 digest with every known digest using timingSafeEqual and
 * without stopping at the first match, so timing tells nothing about which or how many bytes match.
 */
export function createKeyVerifier(security: Config['security'], repo: ApiKeysRepository): KeyVerifier {
  const fromConfig = configuredKeys(security)
  let known: KnownKey[] = []
  const reload = () => {
    const stored = repo.listActive().map((row) => ({
      hash: Buffer.from(row.key_hash, 'hex'),
      principal: { name: row.name, scope: row.scope },
    }))
    known = [...fromConfig, ...stored]
  }
  reload()
  return {
    verify(presented) {
      const digest = hashApiKey(presented)
      let match: Principal | undefined
      for (const candidate of known) {
        if (timingSafeEqual(candidate.hash, digest) && !match) match = candidate.principal
      }
      return match
    },
    reload,
    count: () => known.length,
  }
}

/**
 * First start with require_api_key and no key anywhere: make one, store its hash, and return it so
 * the caller can print it once. Returns undefined when nothing had to be made.
 */
export function ensureFirstApiKey(security: Config['security'], repo: ApiKeysRepository): string | undefined {
  if (!security.require_api_key || security.api_keys.length > 0 || repo.list().length > 0) return undefined
  const key = generateApiKey()
  repo.add('default', hashApiKey(key).toString('hex'), KeyScope.admin)
  return key
}
