// Server-Sent Events of status changes and progress, for the web UI and scripts. Every event has
// an id; a client reconnecting with Last-Event-ID gets what it missed (event-hub.ts), or a
// `snapshot` of the current state when that is no longer held. Streams are limited in number
// (security.max_event_streams) and end as soon as the key that opened them is revoked.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../core/errors.js'
import type { AppDeps } from '../app-deps.js'
import { viewsFor } from '../download-views.js'
import { createEventHub, type HubEvent } from '../event-hub.js'
import { errorResponses, textResponse } from '../schemas.js'

const HEARTBEAT_MS = 15_000
const MAX_BUFFERED_BYTES = 1024 * 1024
/** How often open streams are checked against their key (revocation by `vds keys revoke` elsewhere). */
const CREDENTIAL_CHECK_MS = 1000
/** A snapshot holds every unfinished download and the newest ones (the web UI's first page). */
const SNAPSHOT_UNFINISHED = 100
const SNAPSHOT_RECENT = 50

export const tooManyStreams = (max: number) =>
  new AppError('too_many_event_streams', `The server already has ${max} open event streams (security.max_event_streams); try again later`, {
    'retry-after': '30',
  })

export const eventsRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const hub = createEventHub(deps.events)
  /** open streams: how to end each, and whether its credential still holds */
  const open = new Map<() => void, () => boolean>()
  const sweep = setInterval(() => {
    for (const [end, stillAllowed] of open) if (!stillAllowed()) end()
  }, CREDENTIAL_CHECK_MS)
  sweep.unref()
  // Open streams never go idle, so a graceful close would wait for them forever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(sweep)
    for (const end of [...open.keys()]) end()
    hub.close()
  })

  app.get(
    '/api/v1/events',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'streamEvents',
        summary: 'Server-Sent Events: `status` (the download object), `progress`, and `snapshot` after a gap; every event has an id (send it back as Last-Event-ID, or as last_event_id on a new connection)',
        // A page that opens a new EventSource itself cannot set headers; the query carries its last id.
        querystring: {
          type: 'object',
          properties: {
            last_event_id: { type: 'string', maxLength: 64, description: 'the id of the last event received, to resume after it; the Last-Event-ID header wins when both are sent' },
          },
        },
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 64, description: 'the id of the last event received, to resume after it' } },
        },
        response: { 200: textResponse('text/event-stream', 'an endless event stream'), ...errorResponses(401, 503) },
      },
    },
    (request, reply) => {
      const max = deps.config.security.max_event_streams
      if (open.size >= max) throw tooManyStreams(max)
      const keyName = request.principal?.name
      const marker = keyName === undefined ? undefined : deps.keys.linkMarker(keyName)
      // Keys off (anonymous) have no marker: nothing to revoke.
      const stillAllowed = () => marker === undefined || deps.keys.linkMarker(keyName!) === marker

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
      const write = (id: string, event: string, data: unknown) => {
        res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        // A client that stopped reading would make us buffer forever: drop it; it reconnects with
        // its Last-Event-ID and gets what it missed.
        if (res.writableLength > MAX_BUFFERED_BYTES) end()
      }
      const views = viewsFor(deps, request)
      // A status event carries the whole download object (with this reader's file links), read
      // when it is sent; a deleted download is { download_id, status: null }.
      const send = (event: HubEvent) => {
        if (event.type === 'progress') return write(event.id, 'progress', { download_id: event.download_id, progress: event.progress })
        const row = deps.downloads.findById(event.download_id)
        write(event.id, 'status', row ? views.one(row) : { download_id: event.download_id, status: null })
      }
      const snapshot = () => {
        const unfinished = ['downloading', 'pending'] as const
        const rows = unfinished.flatMap((status) => deps.downloads.history({ status, limit: SNAPSHOT_UNFINISHED, offset: 0 }).rows)
        const seen = new Set(rows.map((row) => row.id))
        for (const row of deps.downloads.history({ limit: SNAPSHOT_RECENT, offset: 0 }).rows) if (!seen.has(row.id)) rows.push(row)
        write(hub.latestId(), 'snapshot', { downloads: views.many(rows) })
      }

      // The header is the browser's own reconnect, newer than the id the page put in the URL.
      const header = request.headers['last-event-id']
      const lastEventId = typeof header === 'string' && header !== '' ? header : (request.query as { last_event_id?: string }).last_event_id
      if (typeof lastEventId === 'string' && lastEventId !== '') {
        const resume = hub.resumeAfter(lastEventId)
        if (resume.kind === 'snapshot') snapshot()
        else for (const event of resume.events) send(event)
      }
      const unsubscribe = hub.subscribe(send)
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
      const stop = () => {
        clearInterval(heartbeat)
        unsubscribe()
        open.delete(end)
      }
      const end = () => {
        stop()
        res.end()
      }
      open.set(end, stillAllowed)
      request.raw.on('close', stop)
      res.on('error', stop)
    },
  )
}
