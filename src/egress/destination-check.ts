// Where a downloader may connect: the egress proxy asks this for every CONNECT and every plain
// http request. The host is resolved here, once, and the addresses returned are the ones the proxy
// connects to, so a name cannot resolve to a public address for the check and to a private one
// for the connection (DNS rebinding). The judgement is intake's (ip-ranges.ts, url-policy.ts):
// public addresses are fine, anything else only when its host or address is in allowed_domains.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { canonicalAddress, nonPublicKind, type NonPublicKind } from '../intake/ip-ranges.js'
import { isHostAllowed } from '../intake/url-policy.js'

/** One resolved address, as dns.lookup gives it. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** A host's addresses (all of them: dns.lookup with `all: true`). */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>

/** A connection the proxy did not make, and why; what the job's failure message is made of. */
export interface Refusal {
  /** the host the downloader asked for (lower case, IPv6 without brackets) */
  host: string
  /** the address that is not public; null when the host could not be used at all */
  address: string | null
  /** its kind of space, e.g. loopback; null with address null */
  kind: NonPublicKind | null
}

export type DestinationVerdict = { ok: true; addresses: ResolvedAddress[] } | { ok: false; refusal: Refusal } | { ok: false; unresolved: string }

export interface DestinationPolicy {
  /** downloads.allowed_domains */
  allowedDomains: readonly string[]
  resolve?: ResolveHost
  /** how long resolving may take; default 5 s */
  resolveTimeoutMs?: number
}

const DEFAULT_RESOLVE_TIMEOUT_MS = 5_000

/**
 * The addresses to connect to for `host`, or why not. An explicit allowed_domains entry for the
 * host or for an address opens it; otherwise every address must be public (all, not any: the
 * proxy could otherwise be steered to the private one of a mixed answer).
 */
export async function checkDestination(rawHost: string, policy: DestinationPolicy): Promise<DestinationVerdict> {
  const host = normalizeHost(rawHost)
  if (host === undefined) return { ok: false, refusal: { host: rawHost.slice(0, 100), address: null, kind: null } }
  const literal = isIP(host)
  let addresses: ResolvedAddress[]
  if (literal !== 0) {
    addresses = [{ address: host, family: literal as 4 | 6 }]
  } else {
    const resolved = await resolveWithin(host, policy.resolve ?? lookupAll, policy.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS)
    if (typeof resolved === 'string') return { ok: false, unresolved: resolved }
    addresses = resolved
  }
  // A listed host opens whatever it resolves to: that is how an owner lets a LAN name through.
  if (isHostAllowed(host, policy.allowedDomains)) return { ok: true, addresses }
  for (const { address } of addresses) {
    const kind = nonPublicKind(address)
    if (kind === undefined || isHostAllowed(canonicalAddress(address) ?? address, policy.allowedDomains)) continue
    return { ok: false, refusal: { host, address, kind } }
  }
  return { ok: true, addresses }
}

/** Lower case, no trailing dot, IPv6 canonical without brackets; undefined when not a host at all. */
function normalizeHost(raw: string): string | undefined {
  let host = raw.trim().toLowerCase()
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (isIP(host) !== 0) return canonicalAddress(host) ?? host
  // Names only: what a URL host can be after punycode. Anything else never reaches DNS.
  return /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(host) && host.length <= 253 ? host : undefined
}

async function lookupAll(host: string): Promise<ResolvedAddress[]> {
  const results = await lookup(host, { all: true })
  return results.map((result) => ({ address: result.address, family: result.family === 6 ? 6 : 4 }))
}

/** The addresses, or a short reason why there are none (a timeout, NXDOMAIN's code). */
async function resolveWithin(host: string, resolve: ResolveHost, timeoutMs: number): Promise<ResolvedAddress[] | string> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<string>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(`no answer within ${timeoutMs} ms`), timeoutMs)
  })
  try {
    const answer = await Promise.race([Promise.resolve(host).then(resolve), timedOut])
    if (typeof answer === 'string') return answer
    const usable = answer.filter((entry) => isIP(entry.address) !== 0)
    return usable.length > 0 ? usable : 'no addresses'
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : 'lookup failed'
  } finally {
    clearTimeout(timer)
  }
}
