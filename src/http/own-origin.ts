// The Origin rule for cookie-authenticated requests (SPEC §2). A browser attaches the session
// cookie to requests other sites make it send (a form post, an <img>); the Origin header tells the
// server which page sent them. The server's own origins are the name the request arrived under
// (the Host header, with this server's scheme) and server.public_url (behind a proxy the Host seen
// here may be an inner name).
import type { FastifyRequest } from 'fastify'
import type { Config } from '../core/config.js'
import { serverScheme } from '../core/public-address.js'

/** Methods that only read: a missing Origin is fine for them (browsers omit it on same-origin GETs). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/** The origins this request may come from: its own host under this server's scheme, and public_url. */
export function ownOrigins(request: FastifyRequest, config: Config): Set<string> {
  const origins = new Set<string>()
  const host = request.headers.host
  if (host) {
    for (const scheme of new Set([serverScheme(config), request.protocol])) {
      const origin = originOf(`${scheme}://${host}`)
      if (origin) origins.add(origin)
    }
  }
  const publicOrigin = config.server.public_url ? originOf(config.server.public_url) : undefined
  if (publicOrigin) origins.add(publicOrigin)
  return origins
}

/**
 * Whether a cookie-authenticated request passes the Origin rule: a foreign Origin (or the opaque
 * `null`) is refused on every method; a request that changes state must name an own origin.
 */
export function originAllowed(request: FastifyRequest, config: Config): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return SAFE_METHODS.has(request.method)
  return ownOrigins(request, config).has(origin)
}
