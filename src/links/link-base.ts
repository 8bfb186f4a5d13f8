// Where links point. A link in an API answer is absolute when server.public_url is set or when
// the request came in under a name the server's certificate lists (then the phone trusts that
// name); otherwise it is relative, so a client behind an unknown proxy or a typed IP address keeps
// the origin it used. Links in notifications are always absolute (SPEC §6).
import { X509Certificate } from 'node:crypto'
import { subjectAltNames } from '../tls/certificate-info.js'
import { canonicalIp, collectServerNames, type ServerNames } from '../tls/server-names.js'

export interface LinkBaseOptions {
  publicUrl: string | null
  tlsEnabled: boolean
  /** the port the server listens on (server.port) */
  port: number
  /** PEM of the current server certificate (it may be renewed or reloaded); null without TLS */
  certificatePem: () => string | null
  /** names when there is no certificate (TLS off); default: this machine's names */
  machineNames?: () => ServerNames
}

export function createLinkBases(options: LinkBaseOptions) {
  const publicBase = options.publicUrl?.replace(/\/+$/, '') ?? null
  let cached: { pem: string; names: ServerNames } | null = null
  const certificateNames = (): ServerNames | null => {
    const pem = options.certificatePem()
    if (!pem) return null
    if (cached?.pem !== pem) cached = { pem, names: subjectAltNames(new X509Certificate(pem)) }
    return cached.names
  }

  return {
    /** '' (relative links) or an origin such as https://nas.local:8443 for a request's Host header. */
    forRequest(hostHeader: string | undefined): string {
      if (publicBase) return publicBase
      const names = certificateNames()
      const host = parseHost(hostHeader)
      if (!names || !host || !listed(names, host.name)) return ''
      return `https://${hostHeader!.trim()}`
    },

    /** An absolute origin for notifications: public_url, else the first certificate name and the port. */
    forNotification(): string {
      if (publicBase) return publicBase
      const names = certificateNames() ?? options.machineNames?.() ?? collectServerNames()
      const scheme = options.tlsEnabled ? 'https' : 'http'
      return `${scheme}://${formatHost(firstReachableName(names))}:${options.port}`
    },
  }
}

export type LinkBases = ReturnType<typeof createLinkBases>

/** The host name of a Host header (lower-case; IPs canonical), or null when it is not one. */
function parseHost(header: string | undefined): { name: string } | null {
  if (!header || !/^[A-Za-z0-9.\-[\]:]{1,300}$/.test(header.trim())) return null
  try {
    const { hostname } = new URL(`https://${header.trim()}/`)
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
    return { name: bare.includes(':') || /^[\d.]+$/.test(bare) ? canonicalIp(bare) : bare.toLowerCase().replace(/\.$/, '') }
  } catch {
    return null
  }
}

function listed(names: ServerNames, host: string): boolean {
  if (names.ips.includes(host)) return true
  return names.dns.some((name) => name === host || (name.startsWith('*.') && host.endsWith(name.slice(1)) && !host.slice(0, -name.length + 1).includes('.')))
}

/** The first name a phone can use: a DNS name other than localhost, else an address other than loopback. */
function firstReachableName(names: ServerNames): string {
  const dns = names.dns.find((name) => name !== 'localhost' && !name.startsWith('*.'))
  if (dns) return dns
  const ip = names.ips.find((address) => address !== '127.0.0.1' && address !== '::1')
  return ip ?? names.dns[0] ?? '127.0.0.1'
}

const formatHost = (name: string) => (name.includes(':') ? `[${name}]` : name)
