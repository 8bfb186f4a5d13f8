// How long and how many: the egress proxy's bounds, shared by the listener and its exchanges.

/** Time and count bounds (tests make them small). */
export interface EgressLimits {
  /** per address tried */
  connectTimeoutMs: number
  /** a tunnel or forwarded request with no bytes either way for this long is closed */
  idleTimeoutMs: number
  /** CONNECT tunnels and forwarded requests open at once, all attempts together */
  maxConnections: number
  resolveTimeoutMs: number
  /** a client must send its request headers within this */
  headersTimeoutMs: number
}

export const DEFAULT_EGRESS_LIMITS: EgressLimits = {
  connectTimeoutMs: 10_000,
  // Longer than yt-dlp's own socket timeout (20 s): the downloader notices a dead site first.
  idleTimeoutMs: 60_000,
  maxConnections: 64,
  resolveTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
}
