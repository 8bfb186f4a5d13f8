// Prometheus metrics: queue depth read from the database at scrape time, outcomes and bytes
// counted from status events, HTTP latency observed per route.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { DownloadEvents } from '../core/events.js'
import { DOWNLOAD_STATUSES } from '../core/types.js'

export interface MetricsDeps {
  downloads: DownloadsRepository
  events: DownloadEvents
  /** active yt-dlp processes */
  activeDownloads: () => number
}

const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled'])

export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'vds_' })

  new Gauge({
    name: 'vds_downloads',
    help: 'Downloads in the database by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = deps.downloads.countsByStatus()
      for (const status of DOWNLOAD_STATUSES) this.set({ status }, counts[status])
    },
  })
  new Gauge({
    name: 'vds_active_downloads',
    help: 'yt-dlp processes running now',
    registers: [registry],
    collect() {
      this.set(deps.activeDownloads())
    },
  })
  const outcomes = new Counter({
    name: 'vds_download_outcomes_total',
    help: 'Downloads that ended, by final status',
    labelNames: ['status'],
    registers: [registry],
  })
  const durations = new Histogram({
    name: 'vds_download_duration_seconds',
    help: 'Time from the start of the last attempt to completion',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600],
    registers: [registry],
  })
  const bytes = new Counter({
    name: 'vds_downloaded_bytes_total',
    help: 'Bytes of completed downloads',
    registers: [registry],
  })
  const http = new Histogram({
    name: 'vds_http_request_duration_seconds',
    help: 'HTTP answers by route, method and status code',
    labelNames: ['route', 'method', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })

  deps.events.on('status', ({ id, status }) => {
    if (!status || !FINAL_STATUSES.has(status)) return
    outcomes.inc({ status })
    if (status !== 'completed') return
    const row = deps.downloads.findById(id)
    if (row?.file_size) bytes.inc(row.file_size)
    if (row?.started_at && row.completed_at) {
      durations.observe((Date.parse(row.completed_at) - Date.parse(row.started_at)) / 1000)
    }
  })

  return {
    registry,
    observeHttp(route: string, method: string, statusCode: number, seconds: number) {
      http.observe({ route, method, status_code: String(statusCode) }, seconds)
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
