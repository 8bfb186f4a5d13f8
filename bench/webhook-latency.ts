// SPEC §7: a webhook is sent within 1 s of completion. The real server downloads the fixture video
// with the real yt-dlp; a loopback receiver notes when each webhook arrives (Date.now(), the same
// machine clock the server stamps completed_at with, in whole milliseconds) and the latency is
// arrival minus the download's completed_at: from the commit of the final state to the receiver.
import { startMediaServer } from '../test/fixtures/media-server.js'
import { startServerProcess } from '../test/helpers/server-process.js'
import { startReceiver } from '../test/notify/receivers.js'
import type { Figure, Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG } from './server-config.js'
import { median, percentile } from './stats.js'

const JOBS = 20
const TIMEOUT_MS = 60_000

export const webhookLatency: Measurement = {
  name: 'webhook-latency',
  description: `${JOBS} sequential downloads: completed_at to the webhook arriving at a loopback receiver`,
  run: async (context) => {
    const media = await startMediaServer()
    const receiver = await startReceiver()
    const arrivals = new Map<string, number>()
    receiver.respond = (request) => {
      const body = JSON.parse(request.body.toString()) as { download: { download_id: string; completed_at: string } }
      arrivals.set(body.download.download_id, Date.now() - Date.parse(body.download.completed_at))
      return 204
    }
    const server = await startServerProcess({
      dir: context.tempDir('vds-bench-webhook-'),
      config: {
        ...BENCH_SERVER_CONFIG,
        downloads: { allowed_domains: ['127.0.0.1'] },
        ytdlp: { path: 'yt-dlp' },
        notifications: { webhooks: [{ url: `${receiver.url}/hook`, secret: 'bench' }] },
      },
    })
    try {
      const latenciesMs: number[] = []
      // One warm-up job (first TLS handshake, first yt-dlp run), not counted.
      for (let n = 0; n <= JOBS; n++) {
        const answer = await server.request('/api/v1/download', { method: 'POST', json: { url: media.url(`/video.mp4?w=${n}`) } })
        if (answer.status !== 201) throw new Error(`submission answered ${answer.status}: ${answer.body}`)
        const id = (JSON.parse(answer.body) as { download_id: string }).download_id
        const deadline = Date.now() + TIMEOUT_MS
        while (!arrivals.has(id)) {
          if (Date.now() > deadline) throw new Error(`no webhook for ${id} within ${TIMEOUT_MS} ms`)
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        if (n > 0) latenciesMs.push(arrivals.get(id)!)
      }
      context.log(`webhook latencies: ${latenciesMs.join(', ')} ms`)
      const detail = `${latenciesMs.length} sequential downloads of /video.mp4 with real yt-dlp, one webhook each; receiver Date.now() minus completed_at (1 ms resolution); one warm-up job not counted`
      const ms = (id: string, label: string, value: number, target?: number): Figure => ({ id, label, value, unit: 'ms', target, detail })
      return [
        ms('webhook_latency_median_ms', 'Webhook, completion to receiver, median', median(latenciesMs)),
        ms('webhook_latency_p95_ms', 'Webhook, completion to receiver, p95', percentile(latenciesMs, 95), 1000),
        ms('webhook_latency_max_ms', 'Webhook, completion to receiver, max', Math.max(...latenciesMs), 1000),
      ]
    } finally {
      await server.stop()
      await receiver.close()
      await media.close()
    }
  },
}
