// The address phones and notifications use to reach this server. Links sent away from the server
// (notifications, pairing pages, QR codes) must be absolute and name an address the certificate covers.
import os from 'node:os'
import type { Config } from './config.js'

export function serverScheme(config: Config): 'https' | 'http' {
  return config.tls.enabled ? 'https' : 'http'
}

/**
 * `server.public_url` when set; otherwise the first of `tls.hostnames` (a name the owner chose for the
 * certificate), else this machine's first LAN IPv4 address (every generated certificate lists it;
 * names like "host.local" do not resolve on every network), with the port.
 */
export function publicBaseUrl(config: Config): string {
  if (config.server.public_url) return config.server.public_url.replace(/\/+$/, '')
  const named = config.tls.hostnames[0]
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)
  const host = named ?? lan?.address ?? os.hostname()
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `${serverScheme(config)}://${bracketed}:${config.server.port}`
}
