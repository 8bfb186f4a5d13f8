// Slows down guessing of API keys: after `threshold` wrong keys from one address, that address is
// refused (429 too_many_auth_failures) for a while, doubling with each further wrong key up to a cap.
//
// Refusing rather than delaying answers: a delayed answer holds a connection and a timer per guess,
// which an attacker multiplies with parallel connections; a 429 costs nothing. While an address is
// refused its keys are not even checked, otherwise the 200 of a right guess would still be an oracle.
// Memory is bounded: entries expire, and beyond `maxAddresses` the least recently failing is dropped.

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS

export interface AuthFailureOptions {
  /** wrong keys from one address tolerated before it is refused */
  threshold?: number
  /** a quiet spell this long forgets an address's failures */
  forgetAfterMs?: number
  /** the first refusal; each further wrong key after it doubles it */
  firstBlockMs?: number
  maxBlockMs?: number
  maxAddresses?: number
  now?: () => number
}

/** Failed-authentication bookkeeping per client address. */
export interface AuthFailureTracker {
  /** seconds the address must still wait, or 0 when it may try */
  secondsBlocked(address: string): number
  /** Counts a wrong key; returns the seconds the address is now refused for (0 below the threshold). */
  recordFailure(address: string): number
  /** A right key: the address starts afresh (a person who mistyped, then fixed it). */
  recordSuccess(address: string): void
}

interface FailureRecord {
  failures: number
  lastFailureAt: number
  blockedUntil: number
}

export function createAuthFailureTracker(options: AuthFailureOptions = {}): AuthFailureTracker {
  const threshold = options.threshold ?? 10
  const forgetAfterMs = options.forgetAfterMs ?? 15 * MINUTE_MS
  const firstBlockMs = options.firstBlockMs ?? SECOND_MS
  const maxBlockMs = options.maxBlockMs ?? 5 * MINUTE_MS
  const maxAddresses = options.maxAddresses ?? 10_000
  const now = options.now ?? Date.now
  const records = new Map<string, FailureRecord>()

  const isStale = (record: FailureRecord, at: number) =>
    at >= record.blockedUntil && at - record.lastFailureAt > forgetAfterMs

  function current(key: string, at: number): FailureRecord | undefined {
    const record = records.get(key)
    if (record && isStale(record, at)) {
      records.delete(key)
      return undefined
    }
    return record
  }

  return {
    secondsBlocked(address) {
      const at = now()
      const record = current(addressKey(address), at)
      return record && record.blockedUntil > at ? Math.ceil((record.blockedUntil - at) / SECOND_MS) : 0
    },

    recordFailure(address) {
      const at = now()
      const key = addressKey(address)
      const record = current(key, at) ?? { failures: 0, lastFailureAt: at, blockedUntil: 0 }
      records.delete(key) // re-inserted last: Map order is least recently failing first
      if (records.size >= maxAddresses) records.delete(records.keys().next().value!)
      records.set(key, record)
      record.failures += 1
      record.lastFailureAt = at
      const over = record.failures - threshold
      if (over < 0) return 0
      const blockMs = Math.min(maxBlockMs, firstBlockMs * 2 ** Math.min(over, 30))
      record.blockedUntil = at + blockMs
      return Math.ceil(blockMs / SECOND_MS)
    },

    recordSuccess(address) {
      records.delete(addressKey(address))
    },
  }
}

/**
 * What failures are counted against: an IPv4 address, or the /64 prefix of an IPv6 address,
 * because one home or phone usually gets a whole /64 and could otherwise rotate addresses freely.
 */
export function addressKey(address: string): string {
  const mappedV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mappedV4) return mappedV4[1]!
  if (!address.includes(':')) return address
  const groups = expandIpv6(address.replace(/%.*$/, ''))
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address
}

/** The eight 16-bit groups of an IPv6 address as lower-case hex without leading zeros, or undefined. */
function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (part: string | undefined) => {
    if (!part) return []
    const groups = part.split(':')
    const last = groups.at(-1)!
    if (last.includes('.')) {
      const bytes = last.split('.').map(Number)
      groups.splice(-1, 1, ((bytes[0]! << 8) | bytes[1]!).toString(16), ((bytes[2]! << 8) | bytes[3]!).toString(16))
    }
    return groups
  }
  const head = toGroups(halves[0])
  const tail = toGroups(halves[1])
  const missing = 8 - head.length - tail.length
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined
  return groups.map((group) => parseInt(group, 16).toString(16))
}
