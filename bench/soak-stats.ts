// The pure part of `npm run soak`: what the samples mean against the SPEC §7 soak targets
// (0 errors, RSS growth ≤ 10 %, event-loop delay p99 ≤ 20 ms) and the markdown summary.
import { median, percentile, roundFigure } from './stats.js'

/** One reading of the server, every few seconds. */
export interface SoakSample {
  /** ms since the load started */
  atMs: number
  rssMb: number
  /** p99 of the event-loop delay over the interval since the previous sample, resolution removed */
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  loadAverage: number
}

/** prom-client's monitorEventLoopDelay samples every 10 ms and its figures include that interval. */
export const LOOP_MONITOR_RESOLUTION_MS = 10

/** Reads the event-loop figures out of a /metrics page (prefix vds_), in seconds as exported. */
export function parseLoopDelay(metrics: string): { p99Seconds: number; maxSeconds: number } {
  const value = (name: string) => {
    const match = new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm').exec(metrics)
    if (!match) throw new Error(`/metrics has no ${name}`)
    return Number(match[1])
  }
  return { p99Seconds: value('vds_nodejs_eventloop_lag_p99_seconds'), maxSeconds: value('vds_nodejs_eventloop_lag_max_seconds') }
}

/** Delay beyond the monitor's own interval, in ms, never below 0. */
export const loopDelayMs = (seconds: number) => Math.max(0, seconds * 1000 - LOOP_MONITOR_RESOLUTION_MS)

export interface RssGrowth {
  windowMinutes: number
  firstMedianMb: number
  lastMedianMb: number
  growthPercent: number
  firstSamples: number
  lastSamples: number
}

/**
 * RSS growth: the median of the samples in the first window against the median of those in the
 * last. Medians, so one sample taken mid-download or mid-GC does not decide it. The window is
 * 5 minutes, or a quarter of a shorter run (the two windows must not overlap).
 */
export function rssGrowth(samples: readonly SoakSample[], durationMs: number): RssGrowth {
  if (samples.length < 2) throw new Error('RSS growth needs at least two samples')
  const windowMs = Math.min(5 * 60_000, durationMs / 4)
  const end = Math.max(...samples.map((s) => s.atMs))
  const first = samples.filter((s) => s.atMs < windowMs).map((s) => s.rssMb)
  const last = samples.filter((s) => s.atMs > end - windowMs).map((s) => s.rssMb)
  if (first.length === 0 || last.length === 0) throw new Error('no samples in the first or the last window')
  const firstMedianMb = median(first)
  const lastMedianMb = median(last)
  return {
    windowMinutes: windowMs / 60_000,
    firstMedianMb,
    lastMedianMb,
    growthPercent: ((lastMedianMb - firstMedianMb) / firstMedianMb) * 100,
    firstSamples: first.length,
    lastSamples: last.length,
  }
}

export interface SoakCounts {
  /** request kind → answered */
  requests: Record<string, number>
  /** error description → how often */
  errors: Record<string, number>
  downloadsCompleted: number
  downloadsFailed: number
  /** status events each SSE client received */
  sseEventsPerClient: number[]
}

export interface SoakVerdict {
  errors: number
  rss: RssGrowth
  /** the worst sample interval's p99: the target is judged on it, the conservative reading */
  loopDelayWorstP99Ms: number
  loopDelayMedianP99Ms: number
  loopDelayMaxMs: number
  met: { errors: boolean; rss: boolean; loopDelay: boolean }
}

export function judgeSoak(samples: readonly SoakSample[], counts: SoakCounts, durationMs: number): SoakVerdict {
  const errors = Object.values(counts.errors).reduce((a, b) => a + b, 0)
  const rss = rssGrowth(samples, durationMs)
  const p99s = samples.map((s) => s.loopDelayP99Ms)
  const loopDelayWorstP99Ms = Math.max(...p99s)
  return {
    errors,
    rss,
    loopDelayWorstP99Ms,
    loopDelayMedianP99Ms: median(p99s),
    loopDelayMaxMs: Math.max(...samples.map((s) => s.loopDelayMaxMs)),
    met: { errors: errors === 0, rss: rss.growthPercent <= 10, loopDelay: loopDelayWorstP99Ms <= 20 },
  }
}

export interface SoakReport {
  startedAt: string
  commit: string
  command: string
  minutes: number
  rates: string
  samples: SoakSample[]
  counts: SoakCounts
  verdict: SoakVerdict
}

export function renderSoakSummary(report: SoakReport): string {
  const { verdict: v, counts, samples } = report
  const yes = (ok: boolean) => (ok ? 'yes' : '**no**')
  const loads = samples.map((s) => s.loadAverage)
  const errorLines = Object.entries(counts.errors).map(([what, n]) => `- ${n} × ${what}`)
  return [
    `# Soak, ${report.minutes} min, started ${report.startedAt} on commit ${report.commit}`,
    '',
    `Command: \`${report.command}\`. Load: ${report.rates}.`,
    `1-minute load average during the run: median ${roundFigure(median(loads))}, ${roundFigure(Math.min(...loads))}–${roundFigure(Math.max(...loads))}.`,
    '',
    '| Figure | Result | Target | Met |',
    '| --- | ---: | --- | :---: |',
    `| Errors | ${v.errors} | 0 | ${yes(v.met.errors)} |`,
    `| RSS, median of the first ${roundFigure(v.rss.windowMinutes)} min → of the last ${roundFigure(v.rss.windowMinutes)} min | ` +
      `${roundFigure(v.rss.firstMedianMb)} → ${roundFigure(v.rss.lastMedianMb)} MB (${v.rss.growthPercent >= 0 ? '+' : ''}${roundFigure(v.rss.growthPercent)} %) | ≤ +10 % | ${yes(v.met.rss)} |`,
    `| Event-loop delay p99, worst ${samples.length > 1 ? 'sample interval' : 'sample'} (median interval) | ` +
      `${roundFigure(v.loopDelayWorstP99Ms)} ms (${roundFigure(v.loopDelayMedianP99Ms)} ms) | ≤ 20 ms | ${yes(v.met.loopDelay)} |`,
    `| Event-loop delay, largest single delay | ${roundFigure(v.loopDelayMaxMs)} ms | — | |`,
    '',
    `Requests answered: ${Object.entries(counts.requests).map(([k, n]) => `${k} ${n}`).join(', ')}.`,
    `Downloads completed ${counts.downloadsCompleted}, failed ${counts.downloadsFailed}. ` +
      `Status events per SSE client: ${roundFigure(Math.min(...counts.sseEventsPerClient))}–${roundFigure(Math.max(...counts.sseEventsPerClient))} (${counts.sseEventsPerClient.length} clients).`,
    `RSS samples: ${samples.length}, from ${roundFigure(Math.min(...samples.map((s) => s.rssMb)))} to ${roundFigure(Math.max(...samples.map((s) => s.rssMb)))} MB; ` +
      `p95 of the interval p99s ${roundFigure(percentile(samples.map((s) => s.loopDelayP99Ms), 95))} ms.`,
    ...(errorLines.length ? ['', 'Errors:', ...errorLines] : []),
    '',
  ].join('\n')
}
