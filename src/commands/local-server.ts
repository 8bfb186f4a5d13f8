// Where the server described by a config can be reached, for the messages and defaults of the CLI.
import type { Config } from '../core/config.js'
import { publicBaseUrl, serverScheme } from '../core/public-address.js'

/** The server on this machine, over loopback: what `vds submit` and `vds doctor` talk to. */
export function loopbackUrl(config: Config): string {
  return `${serverScheme(config)}://127.0.0.1:${config.server.port}`
}

/** The address a phone on the same network types (see publicBaseUrl). */
export const phoneUrl = publicBaseUrl
