// The config every benchmarked server runs with, over the helper's defaults (loopback, HTTPS with
// the automatic local CA, rate limit off, no yt-dlp so the queue pauses instead of downloading).
import type { ConfigOverrides } from '../test/helpers/server-process.js'

export const BENCH_SERVER_CONFIG: ConfigOverrides = {
  // The production default level: every request is logged, as it would be for a user.
  logging: { level: 'info' },
}

/** A TikTok link per number, the same length as real ones; distinct numbers never deduplicate. */
export function benchVideoUrl(n: number): string {
  return `https://www.tiktok.com/@vds-bench/video/7${String(n).padStart(18, '0')}`
}

/** The helper's 15 s is for tests; on a machine at load 10+ a start that asks yt-dlp its version takes longer, and a slow start is not the figure being measured. */
export const BENCH_START_TIMEOUT_MS = 60_000
