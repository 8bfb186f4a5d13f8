// Which names and addresses the generated server certificate must cover. A phone refuses a
// certificate whose SAN lacks the exact name or IP it typed, so we list everything the server
// answers on: its host names, its mDNS name, loopback and every address of every interface.
import { isIP } from 'node:net'
import os from 'node:os'

/** The subject alternative names of a server certificate, each list sorted and without duplicates. */
export interface ServerNames {
  /** DNS names, lower-case (SAN type dNSName) */
  dns: string[]
  /** IPv4 and IPv6 addresses in canonical form (SAN type iPAddress) */
  ips: string[]
}

// Letters, digits, hyphens and underscores in dot-separated labels; a leading "*." for wildcards.
const DNS_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

/**
 * Collects every name the server answers on plus the owner's `tls.hostnames`.
 * Throws an Error naming the entry when a configured hostname is neither a DNS name nor an IP literal.
 */
export function collectServerNames(extraHostnames: readonly string[] = []): ServerNames {
  const dns = new Set<string>(['localhost'])
  const ips = new Set<string>(['127.0.0.1', '::1'])

  for (const name of hostNamesOfThisMachine()) dns.add(name)
  for (const address of interfaceAddresses()) ips.add(address)

  for (const entry of extraHostnames) {
    const classified = classifyHostname(entry)
    if (classified === null) {
      throw new Error(
        `tls.hostnames entry ${JSON.stringify(entry)} is neither a DNS name nor an IP address: ` +
          'write a bare name such as "nas.example.com" or an address such as "192.168.1.20" ' +
          '(no scheme, port or path)',
      )
    }
    if (classified.type === 'ip') ips.add(classified.value)
    else dns.add(classified.value)
  }
  return { dns: [...dns].sort(), ips: [...ips].sort() }
}

/** Sorts a name as a DNS name or an IP literal (canonical form), or null when it is neither. */
export function classifyHostname(entry: string): { type: 'dns' | 'ip'; value: string } | null {
  const trimmed = entry.trim()
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed
  if (isIP(unbracketed) !== 0) return { type: 'ip', value: canonicalIp(unbracketed) }
  const lower = trimmed.toLowerCase().replace(/\.$/, '')
  if (lower.length <= 253 && DNS_NAME.test(lower)) return { type: 'dns', value: lower }
  return null
}

/**
 * One spelling per address, so names read from a certificate compare equal to collected ones:
 * IPv6 is compressed and lower-case ("0:0:0:0:0:0:0:1" → "::1"), IPv4-mapped forms are hex.
 */
export function canonicalIp(address: string): string {
  if (isIP(address) === 4) return new URL(`http://${address}/`).hostname
  return new URL(`http://[${address}]/`).hostname.slice(1, -1)
}

function hostNamesOfThisMachine(): string[] {
  const names: string[] = []
  const full = os.hostname().trim().toLowerCase().replace(/\.$/, '')
  if (full === '' || !DNS_NAME.test(full)) return names
  const shortName = full.split('.')[0] ?? full
  // macOS reports "name.local" already; Linux reports "name", which Bonjour/Avahi serve as "name.local".
  names.push(full, shortName, `${shortName}.local`)
  return names
}

function interfaceAddresses(): string[] {
  const addresses: string[] = []
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      // Node reports the IPv6 zone separately (scopeid), but older versions appended "%eth0".
      if (!entry.internal) addresses.push(canonicalIp(entry.address.split('%')[0] ?? entry.address))
    }
  }
  return addresses
}

/** True when both lists hold the same names, regardless of order. */
export function sameServerNames(a: ServerNames, b: ServerNames): boolean {
  const key = (names: ServerNames) => JSON.stringify([[...names.dns].sort(), [...names.ips].sort()])
  return key(a) === key(b)
}
