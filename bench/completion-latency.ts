// SPEC §7: a long poll answers within 50 ms of completion; a webhook is sent within 1 s of it.
// The real server downloads the fixture video with the real yt-dlp. For every job the benchmark
// sends GET /api/v1/status/{id}?wait=60 right after the 201, and a loopback receiver takes the
// webhook. Both delays are arrival (Date.now(), the same machine clock the server stamps
// completed_at with, whole milliseconds) minus the download's completed_at: from the commit of the
// final state to the client. Both come from the same jobs, so they are comparable.
import { startMediaServer } from '../test/fixtures/media-server.js'
import { startServerProcess, type HttpResponse, type ServerProcess } from '../test/helpers/server-process.js'
import { startReceiver } from '../test/notify/receivers.js'
import { loadAverage1m } from './machine.js'
import type { Figure, Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { median, percentile } from './stats.js'

const JOBS = 20
const TIMEOUT_MS = 60_000
const WAIT_SECONDS = 60

export const completionLatency: Measurement = {
  name: 'completion-latency',
  description: `${JOBS} sequential downloads: completed_at to the long poll's answer and to the webhook at a loopback receiver`,
  run: async (context) => {
    const media = await startMediaServer()
    const receiver = await startReceiver()
    const arrivals = new Map<string, number>()
    receiver.respond = (request) => {
      const body = JSON.parse(request.body.toString()) as { download: { download_id: string; completed_at: string } }
      arrivals.set(body.download.download_id, Date.now() - Date.parse(body.download.completed_at))
      return 204
    }
    let server: ServerProcess | undefined
    try {
      server = await startServerProcess({
        dir: context.tempDir('vds-bench-completion-'),
        config: {
          ...BENCH_SERVER_CONFIG,
          downloads: { allowed_domains: ['127.0.0.1'] },
          ytdlp: { path: 'yt-dlp' },
          notifications: { webhooks: [{ url: `${receiver.url}/hook`, secret: 'bench' }] },
        },
        startTimeoutMs: BENCH_START_TIMEOUT_MS,
      })
      const webhookMs: number[] = []
      const longPollMs: number[] = []
      const loads: number[] = []
      let alreadyEnded = 0
      // One warm-up job (first TLS handshake, first yt-dlp run), not counted.
      for (let n = 0; n <= JOBS; n++) {
        const answer = await server.request('/api/v1/download', { method: 'POST', json: { url: media.url(`/video.mp4?w=${n}`) } })
        if (answer.status !== 201) throw new Error(`submission answered ${answer.status}: ${answer.body}`)
        const id = (JSON.parse(answer.body) as { download_id: string }).download_id
        const askedAt = Date.now()
        const polled: HttpResponse = await server.request(`/api/v1/status/${id}?wait=${WAIT_SECONDS}`, { timeoutMs: (WAIT_SECONDS + 10) * 1000 })
        const polledAt = Date.now()
        const download = JSON.parse(polled.body) as { status: string; completed_at: string | null; error_message: string | null }
        if (polled.status !== 200 || download.status !== 'completed' || download.completed_at === null) {
          throw new Error(`long poll of ${id} answered ${polled.status} with ${download.status}: ${download.error_message ?? polled.body}`)
        }
        const deadline = Date.now() + TIMEOUT_MS
        while (!arrivals.has(id)) {
          if (Date.now() > deadline) throw new Error(`no webhook for ${id} within ${TIMEOUT_MS} ms`)
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        if (n === 0) continue
        loads.push(loadAverage1m())
        webhookMs.push(arrivals.get(id)!)
        // A job that ended before the poll was sent tells nothing about waking a waiting poll.
        if (Date.parse(download.completed_at) < askedAt) alreadyEnded++
        else longPollMs.push(polledAt - Date.parse(download.completed_at))
      }
      context.log(`webhook latencies: ${webhookMs.join(', ')} ms; long-poll latencies: ${longPollMs.join(', ')} ms`)
      const how = `${JOBS} sequential downloads of /video.mp4 with real yt-dlp (one warm-up job not counted); arrival Date.now() minus completed_at (1 ms resolution)`
      const loadRange = [Math.min(...loads), Math.max(...loads)]
      const ms = (id: string, label: string, samples: number[], value: number, detail: string, target?: number): Figure => ({
        id, label, value, unit: 'ms', ...(target === undefined ? {} : { target }), detail: `${samples.length} samples: ${detail}; ${how}`, load: loadRange,
      })
      const pollDetail = `GET /status/{id}?wait=${WAIT_SECONDS} sent right after the 201${alreadyEnded ? `; ${alreadyEnded} jobs had ended before the poll was sent and are left out` : ''}`
      if (longPollMs.length === 0) throw new Error('every job ended before its long poll was sent: nothing measured')
      return [
        ms('long_poll_latency_median_ms', 'Long poll, completion to answer, median', longPollMs, median(longPollMs), pollDetail),
        ms('long_poll_latency_p95_ms', 'Long poll, completion to answer, p95', longPollMs, percentile(longPollMs, 95), pollDetail, 50),
        ms('long_poll_latency_max_ms', 'Long poll, completion to answer, max', longPollMs, Math.max(...longPollMs), pollDetail, 50),
        ms('webhook_latency_median_ms', 'Webhook, completion to receiver, median', webhookMs, median(webhookMs), 'one webhook each'),
        ms('webhook_latency_p95_ms', 'Webhook, completion to receiver, p95', webhookMs, percentile(webhookMs, 95), 'one webhook each', 1000),
        ms('webhook_latency_max_ms', 'Webhook, completion to receiver, max', webhookMs, Math.max(...webhookMs), 'one webhook each', 1000),
      ]
    } finally {
      await server?.stop()
      await receiver.close()
      await media.close()
    }
  },
}
