// Time limits on client connections (SPEC §5, bounded connections), in one place. A socket that does
// not finish its part in time is destroyed: the TLS handshake (src/tls/server-options.ts, 5 s), the
// request headers, the whole request with its body, and an idle keep-alive connection.

export interface ConnectionLimits {
  /** from the first byte of a request (or the connection) to the end of its headers */
  headersMs: number
  /** from the first byte of a request to the end of its body (bodies are at most 8 KiB by default) */
  requestMs: number
  /** an idle keep-alive connection between two requests */
  keepAliveMs: number
  /** a socket on which nothing at all moves (the long poll extends it for its own wait) */
  idleSocketMs: number
  /** how often Node checks the header and request limits (its default is 30 s, too coarse) */
  checkIntervalMs: number
}

export const CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersMs: 10_000,
  requestMs: 30_000,
  // Longer than the 60 s upstream keep-alive of common reverse proxies, so that the proxy, not the
  // server, closes an idle connection first (otherwise a request sent just as the server closes fails).
  keepAliveMs: 65_000,
  idleSocketMs: 60_000,
  checkIntervalMs: 1_000,
}

/**
 * Fastify options for these limits. `headersTimeout` and `connectionsCheckingInterval` are only read
 * when Node creates the server, so they go into the `https` (or plain `http`) server options.
 */
export function connectionOptions(limits: ConnectionLimits, https: object | null) {
  const serverOptions = { headersTimeout: limits.headersMs, connectionsCheckingInterval: limits.checkIntervalMs }
  return {
    ...(https ? { https: { ...https, ...serverOptions } } : { http: serverOptions }),
    requestTimeout: limits.requestMs,
    keepAliveTimeout: limits.keepAliveMs,
    connectionTimeout: limits.idleSocketMs,
  }
}
