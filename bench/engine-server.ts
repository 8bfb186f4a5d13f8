// What the download-engine benchmarks share: the real server with the real yt-dlp, downloading
// from the loopback media fixture, and a status-event subscription to time the jobs.
import path from 'node:path'
import { startMediaServer, type MediaServer, type MediaServerOptions } from '../test/fixtures/media-server.js'
import { startServerProcess, type ConfigOverrides, type ServerProcess } from '../test/helpers/server-process.js'
import { listenToStatusEvents, type StatusEvents } from './engine-events.js'
import type { BenchContext } from './measurement.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'

/** The bench config, downloading for real: /usr/bin/yt-dlp, links to the fixture server only. */
const ENGINE_SERVER_CONFIG: ConfigOverrides = {
  ...BENCH_SERVER_CONFIG,
  downloads: { allowed_domains: ['127.0.0.1'] },
  ytdlp: { path: 'yt-dlp' },
}

/** A download that never takes this long on loopback has gone wrong. */
export const DOWNLOAD_TIMEOUT_MS = 60_000

export interface EngineBench {
  server: ServerProcess
  media: MediaServer
  events: StatusEvents
  /** the server's downloads folder */
  downloadsDir: string
  /** POSTs `url`; returns the id, when the request was sent and when the 201 arrived (`performance.now()`) */
  submit(url: string): Promise<{ id: string; sentAt: number; answeredAt: number }>
}

/** Runs `body` against a fresh server and fixture server, and stops both afterwards. */
export async function withEngineBench<T>(
  context: BenchContext,
  prefix: string,
  body: (bench: EngineBench) => Promise<T>,
  mediaOptions: MediaServerOptions = {},
): Promise<T> {
  const media = await startMediaServer(mediaOptions)
  const dir = context.tempDir(prefix)
  let server: ServerProcess | undefined
  let events: StatusEvents | undefined
  try {
    server = await startServerProcess({ dir, config: ENGINE_SERVER_CONFIG, startTimeoutMs: BENCH_START_TIMEOUT_MS })
    events = await listenToStatusEvents(server)
    const started = server
    return await body({
      server: started,
      media,
      events,
      downloadsDir: path.join(dir, 'downloads'),
      submit: async (url) => {
        const sentAt = performance.now()
        const response = await started.request('/api/v1/download', { method: 'POST', json: { url } })
        const answeredAt = performance.now()
        if (response.status !== 201) throw new Error(`submission of ${url} answered ${response.status}: ${response.body}`)
        return { id: (JSON.parse(response.body) as { download_id: string }).download_id, sentAt, answeredAt }
      },
    })
  } finally {
    events?.close()
    await server?.stop()
    await media.close()
  }
}
