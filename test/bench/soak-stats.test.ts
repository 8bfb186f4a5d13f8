// The soak's judgement: RSS growth from the first and last windows' medians, the event-loop
// figures read from /metrics with the monitor's resolution taken off, and the error count.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { judgeSoak, loopDelayMs, parseLoopDelay, renderSoakSummary, rssGrowth, type SoakCounts, type SoakSample } from '../../bench/soak-stats.js'

const MINUTE = 60_000
/** One sample every 5 s for `minutes`, RSS from `rssAt(minute)`. */
function samples(minutes: number, rssAt: (minute: number) => number, loopDelayP99Ms = 2): SoakSample[] {
  return Array.from({ length: (minutes * MINUTE) / 5000 }, (_, i) => {
    const atMs = (i + 1) * 5000
    return { atMs, rssMb: rssAt(atMs / MINUTE), loopDelayP99Ms, loopDelayMaxMs: loopDelayP99Ms * 2, loadAverage: 1 }
  })
}
const noErrors: SoakCounts = { requests: { status: 10 }, errors: {}, downloadsCompleted: 3, downloadsFailed: 0, sseEventsPerClient: [9, 9] }

test('growth compares the median of the first 5 minutes with the median of the last 5', () => {
  // 100 MB for 10 minutes, then 112 MB: +12 %, and a one-sample spike in the first window changes nothing.
  const run = samples(30, (m) => (m <= 20 ? 100 : 112))
  run[3]!.rssMb = 400
  const growth = rssGrowth(run, 30 * MINUTE)
  assert.equal(growth.windowMinutes, 5)
  assert.equal(growth.firstMedianMb, 100)
  assert.equal(growth.lastMedianMb, 112)
  assert.ok(Math.abs(growth.growthPercent - 12) < 1e-9)
  assert.equal(growth.firstSamples, 59, 'samples at 5 s … 4:55')
  assert.equal(judgeSoak(run, noErrors, 30 * MINUTE).met.rss, false)
  assert.equal(judgeSoak(samples(30, () => 100), noErrors, 30 * MINUTE).met.rss, true)
})

test('a short run uses a quarter of its length as the window', () => {
  const growth = rssGrowth(samples(2, (m) => 100 + m), 2 * MINUTE)
  assert.equal(growth.windowMinutes, 0.5)
  assert.ok(growth.lastMedianMb > growth.firstMedianMb)
  assert.throws(() => rssGrowth(samples(2, () => 1).slice(0, 1), 2 * MINUTE), /two samples/)
})

test('the loop-delay target is judged on the worst interval, and every error counts', () => {
  const run = samples(30, () => 100)
  run[100]!.loopDelayP99Ms = 25
  const verdict = judgeSoak(run, { ...noErrors, errors: { 'status answered 500': 2, 'SSE client 3: stream closed': 1 } }, 30 * MINUTE)
  assert.equal(verdict.loopDelayWorstP99Ms, 25)
  assert.equal(verdict.loopDelayMedianP99Ms, 2)
  assert.deepEqual(verdict.met, { errors: false, rss: true, loopDelay: false })
  assert.equal(verdict.errors, 3)
  const summary = renderSoakSummary({
    startedAt: 'then', commit: 'abc1234', command: 'npm run soak', minutes: 30, rates: 'r', samples: run, counts: noErrors, verdict,
  })
  assert.match(summary, /\| Event-loop delay p99, worst sample interval \(median interval\) \| 25 ms \(2 ms\) \| ≤ 20 ms \| \*\*no\*\* \|/)
  assert.match(summary, /100 → 100 MB \(\+0 %\)/)
})

test('loop delay is read from prom-client’s gauges and the 10 ms sampling interval is taken off', () => {
  const metrics = [
    '# HELP vds_nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.',
    'vds_nodejs_eventloop_lag_p99_seconds 0.013467647',
    'vds_nodejs_eventloop_lag_max_seconds 0.0301',
    'vds_nodejs_eventloop_lag_p90_seconds 0.0111',
  ].join('\n')
  const { p99Seconds, maxSeconds } = parseLoopDelay(metrics)
  assert.equal(p99Seconds, 0.013467647)
  assert.equal(maxSeconds, 0.0301)
  assert.ok(Math.abs(loopDelayMs(p99Seconds) - 3.467647) < 1e-9)
  assert.equal(loopDelayMs(0.0095), 0, 'a timer that fired early is no delay')
  assert.throws(() => parseLoopDelay('vds_nodejs_eventloop_lag_seconds 0.01'), /no vds_nodejs_eventloop_lag_p99_seconds/)
})
