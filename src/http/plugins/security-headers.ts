// Security headers on every answer. helmet computes them; they never vary per request, so they are
// computed once at start-up and copied onto each reply. (@fastify/helmet rebuilds helmet's
// middleware, CSP parsing included, on every request: about 6% of the CPU of a submission.)
import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

export const HELMET_OPTIONS: HelmetOptions = {
  // HSTS would pin browsers to HTTPS on a LAN address whose certificate they may not trust yet.
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      // The web UI plays files through their signed links on this origin; nothing else.
      mediaSrc: ["'self'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
}

/** Runs helmet once against a recording response and returns the headers it set. */
export function computeSecurityHeaders(options: HelmetOptions = HELMET_OPTIONS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {})
  return Object.freeze(headers)
}

/** Adds the headers to every reply (fastify-plugin: for all routes, not one encapsulated scope). */
export const securityHeadersPlugin = fp(
  async (app) => {
    const headers = computeSecurityHeaders()
    app.addHook('onRequest', async (_request, reply) => {
      reply.headers(headers)
    })
  },
  { name: 'vds-security-headers' },
)
