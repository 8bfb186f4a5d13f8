// Server-Sent Events of status changes and progress, for the web UI and scripts.
// Browsers' EventSource cannot send headers, so the web UI reads this stream with fetch().
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import type { DownloadEventMap } from '../../core/events.js'
import { viewsFor } from '../download-views.js'
import { errorResponses, textResponse } from '../schemas.js'

const HEARTBEAT_MS = 15_000
const MAX_BUFFERED_BYTES = 1024 * 1024

export const eventsRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  // Open streams never go idle, so a graceful close would wait for them forever: end them first.
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of open) end()
  })

  app.get(
    '/api/v1/events',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'streamEvents',
        summary: 'Server-Sent Events: `status` (the download object) and `progress` of every download',
        response: { 200: textResponse('text/event-stream', 'an endless event stream'), ...errorResponses(401) },
      },
    },
    (request, reply) => {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and friends buffer responses unless told otherwise
        'x-accel-buffering': 'no',
      })
      res.write('retry: 3000\n\n')
      const send = (event: keyof DownloadEventMap, data: unknown) => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        // A client that stopped reading would make us buffer forever: drop it; EventSource-style
        // clients reconnect and read current state from the API.
        if (res.writableLength > MAX_BUFFERED_BYTES) end()
      }
      // A status event carries the whole download object (with this reader's file links); `id` stays
      // for older clients. A deleted download is { download_id, id, status: null }.
      const views = viewsFor(deps, request)
      const onStatus = ({ id }: DownloadEventMap['status'][0]) => {
        const row = deps.downloads.findById(id)
        send('status', row ? { ...views.one(row), id } : { download_id: id, id, status: null })
      }
      const onProgress = (data: DownloadEventMap['progress'][0]) => send('progress', data)
      deps.events.on('status', onStatus)
      deps.events.on('progress', onProgress)
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
      const stop = () => {
        clearInterval(heartbeat)
        deps.events.off('status', onStatus)
        deps.events.off('progress', onProgress)
        open.delete(end)
      }
      const end = () => {
        stop()
        res.end()
      }
      open.add(end)
      request.raw.on('close', stop)
      res.on('error', stop)
    },
  )
}
