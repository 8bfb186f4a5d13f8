// SPEC §7: a submission on a fresh TLS connection (as a share extension sends it), p99 ≤ 20 ms.
// Each request uses `agent: false`, so its time includes TCP connect and the full TLS handshake,
// with the local CA trusted and the certificate verified.
import { httpRequest, startServerProcess } from '../test/helpers/server-process.js'
import type { Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG, benchVideoUrl, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { percentile } from './stats.js'

const REQUESTS = 500

export const submitNewConnection: Measurement = {
  name: 'submit-new-connection',
  description: `${REQUESTS} sequential submissions, each on a new TLS connection`,
  async run({ tempDir }) {
    const server = await startServerProcess({ dir: tempDir('vds-bench-tls-'), config: BENCH_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
    const latenciesMs: number[] = []
    try {
      if (server.ca === null) throw new Error('the server does not serve HTTPS: this measurement needs TLS')
      for (let i = 0; i < REQUESTS; i++) {
        const startedAt = performance.now()
        const response = await httpRequest(`${server.url}/api/v1/download`, {
          method: 'POST',
          json: { url: benchVideoUrl(i) },
          headers: { 'x-api-key': server.apiKey },
          agent: false,
          ca: server.ca,
        })
        latenciesMs.push(performance.now() - startedAt)
        if (response.status !== 201) throw new Error(`submission answered ${response.status}: ${response.body}`)
      }
    } finally {
      await server.stop()
    }
    const detail = `${REQUESTS} sequential requests, Node https client, agent: false, CA verified`
    return [
      { id: 'submit_new_tls_p50_ms', label: 'Submission p50 (new TLS connection each)', value: percentile(latenciesMs, 50), unit: 'ms', detail },
      { id: 'submit_new_tls_p99_ms', label: 'Submission p99 (new TLS connection each)', value: percentile(latenciesMs, 99), unit: 'ms', target: 20, detail },
    ]
  },
}
