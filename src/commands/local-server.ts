// Where the server described by a config can be reached, for the messages and defaults of the CLI.
import os from 'node:os'
import type { Config } from '../core/config.js'

function scheme(config: Config): 'https' | 'http' {
  return config.tls.enabled ? 'https' : 'http'
}

/** The server on this machine, over loopback: what `vds submit` and `vds doctor` talk to. */
export function loopbackUrl(config: Config): string {
  return `${scheme(config)}://127.0.0.1:${config.server.port}`
}

/**
 * The address a phone on the same network types: `server.public_url` when set, otherwise this
 * machine's first LAN IPv4 address (names like "host.local" do not resolve on every network).
 */
export function phoneUrl(config: Config): string {
  if (config.server.public_url) return config.server.public_url.replace(/\/+$/, '')
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)
  return `${scheme(config)}://${lan?.address ?? os.hostname()}:${config.server.port}`
}
