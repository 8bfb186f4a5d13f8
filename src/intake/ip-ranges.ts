// Which IP addresses are on the public internet: the ranges behind allowed_domains "*". A host
// whose addresses are not all public is refused in that mode (loopback, private, link-local,
// CGNAT, cloud metadata, documentation and reserved space), including IPv4 hidden in IPv6.
import { BlockList, isIP } from 'node:net'

/**
 * True when an IP address (v4 or v6, brackets allowed) is on the public internet: not loopback,
 * private, link-local, CGNAT, "this network", multicast, broadcast, reserved or documentation
 * space. IPv4 inside IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`) is judged by its IPv4 part.
 */
export function isPublicAddress(address: string): boolean {
  return nonPublicKind(address) === undefined
}

/** What kind of non-public space an address is in, for messages ("a loopback address"). */
export type NonPublicKind = 'loopback' | 'private' | 'link-local' | 'CGNAT' | 'multicast' | 'unspecified' | 'reserved' | 'documentation' | 'not an IP'

/**
 * Undefined when the address is public (see isPublicAddress), else the kind of space it is in.
 * The egress proxy names the kind when it refuses a connection, so the one classifier serves both.
 */
export function nonPublicKind(address: string): NonPublicKind | undefined {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  // Zone ids (`fe80::1%eth0`) only exist on link-local addresses.
  if (unbracketed.includes('%')) return 'link-local'
  const family = isIP(unbracketed)
  if (family === 4) return kindIn(NON_PUBLIC_IPV4, unbracketed, 'ipv4')
  if (family !== 6) return 'not an IP'

  const embedded = embeddedIPv4(unbracketed)
  if (embedded !== undefined) return nonPublicKind(embedded)
  // IPv6 is judged by allow-listing global unicast (2000::/3) rather than listing what is not
  // public: ::, ::1, fc00::/7, fe80::/10, ff00::/8 and anything assigned later all fall outside.
  if (!GLOBAL_UNICAST_IPV6.check(unbracketed, 'ipv6')) return kindIn(IPV6_OUTSIDE_GLOBAL, unbracketed, 'ipv6') ?? 'reserved'
  return kindIn(NON_PUBLIC_IPV6, unbracketed, 'ipv6')
}

/**
 * The form WHATWG URL serializes an address in (`0:0::1` → `::1`, `::ffff:127.0.0.1` →
 * `::ffff:7f00:1`), so that entries and hosts compare as strings.
 */
export function canonicalAddress(address: string): string | undefined {
  try {
    const hostname = new URL(isIP(address) === 6 ? `http://[${address}]/` : `http://${address}/`).hostname
    return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  } catch {
    return undefined // e.g. an IPv6 zone id, which URLs cannot carry
  }
}

type LabeledRanges = ReadonlyArray<readonly [network: string, prefix: number, kind: NonPublicKind]>

/** IPv4 space that is not the public internet (IANA special-purpose registry). */
const NON_PUBLIC_IPV4 = labeledBlockLists('ipv4', [
  ['0.0.0.0', 8, 'unspecified'], // "this network", includes the unspecified 0.0.0.0
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'CGNAT'], // carrier-grade NAT, often the ISP's or Tailscale's internal network
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata at 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'], // TEST-NET-1
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'documentation'], // TEST-NET-2
  ['203.0.113.0', 24, 'documentation'], // TEST-NET-3
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes broadcast 255.255.255.255
])

const GLOBAL_UNICAST_IPV6 = blockListOf('ipv6', [['2000::', 3]])

/** Names for the better-known IPv6 space outside 2000::/3 (all of which is refused anyway). */
const IPV6_OUTSIDE_GLOBAL = labeledBlockLists('ipv6', [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'], // unique local addresses
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
])

/** Special-purpose ranges inside 2000::/3. */
const NON_PUBLIC_IPV6 = labeledBlockLists('ipv6', [
  ['2001::', 23, 'reserved'], // IETF protocol assignments: Teredo, benchmarking, ORCHID
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, 'reserved'], // 6to4, tunnels to arbitrary IPv4 (deprecated)
  ['3fff::', 20, 'documentation'], // RFC 9637
])

/** IPv6 ranges whose last 32 bits are an IPv4 address that is what actually gets reached. */
const IPV4_EMBEDDING_IPV6 = blockListOf('ipv6', [
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64 well-known prefix (IPv6-only networks reach IPv4 sites this way)
])

/** One BlockList per kind, so a match also says which kind of space it is. */
function labeledBlockLists(family: 'ipv4' | 'ipv6', ranges: LabeledRanges): ReadonlyArray<readonly [NonPublicKind, BlockList]> {
  const kinds = [...new Set(ranges.map(([, , kind]) => kind))]
  return kinds.map((kind) => [kind, blockListOf(family, ranges.filter((range) => range[2] === kind).map(([network, prefix]) => [network, prefix] as const))] as const)
}

function kindIn(lists: ReadonlyArray<readonly [NonPublicKind, BlockList]>, address: string, family: 'ipv4' | 'ipv6'): NonPublicKind | undefined {
  return lists.find(([, list]) => list.check(address, family))?.[0]
}

function blockListOf(family: 'ipv4' | 'ipv6', ranges: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList()
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family)
  return list
}

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, else undefined. */
function embeddedIPv4(ipv6: string): string | undefined {
  if (!IPV4_EMBEDDING_IPV6.check(ipv6, 'ipv6')) return undefined
  const canonical = canonicalAddress(ipv6) // hex groups only, e.g. `::ffff:7f00:1`
  if (canonical === undefined) return undefined
  const [head = '', tail] = canonical.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  // `::` stands for as many zero groups as are missing from eight.
  const zeros: string[] = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0')
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups]
  const high = Number.parseInt(groups[6] ?? '0', 16)
  const low = Number.parseInt(groups[7] ?? '0', 16)
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}
