import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../../core/errors.js'
import type { AppDeps } from '../app-deps.js'
import { viewsFor } from '../download-views.js'
import { Download, DownloadIdParams, errorResponses } from '../schemas.js'
import { FINAL_STATUSES } from '../final-status-waiters.js'

/** The longest long poll (SPEC §2). */
export const MAX_WAIT_SECONDS = 120

/**
 * The download id from the path, already checked as a UUID by its schema (DownloadIdParams: a
 * mismatch is 400 invalid_download_id); ids are stored in lower case.
 */
export const parseDownloadId = (raw: string): string => raw.toLowerCase()

const StatusQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_WAIT_SECONDS,
      description: 'long poll: answer as soon as the download is completed, failed or cancelled, at the latest after this many seconds',
    }),
  ),
})

export const statusRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const waiters = deps.statusWaiters
  // Waiting requests would hold a graceful close for up to two minutes: answer them now.
  app.addHook('preClose', async () => waiters.close())

  /** The download object now, or 404 (also when it was deleted while waiting). */
  const current = (request: FastifyRequest, id: string) => {
    const row = deps.downloads.findById(id)
    if (!row) throw notFound()
    return viewsFor(deps, request).one(row)
  }

  app.get(
    '/api/v1/status/:download_id',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'getStatus',
        summary: 'One download: status, progress, files and metadata; ?wait=N waits up to N s for it to end',
        params: DownloadIdParams,
        querystring: StatusQuery,
        response: { 200: Download, ...errorResponses(400, 401, 404, 422) },
      },
    },
    async (request, reply) => {
      const id = parseDownloadId(request.params.download_id)
      const waitSeconds = request.query.wait
      if (waitSeconds === undefined) return current(request, id)
      // Listening starts before the row is read, so an end between the two is not missed.
      const gone = new AbortController()
      const waited = waiters.wait(id, waitSeconds * 1000, gone.signal)
      const row = deps.downloads.findById(id)
      if (!waited || !row || FINAL_STATUSES.has(row.status)) {
        gone.abort()
        await waited
        return current(request, id)
      }
      // The client hanging up ends the wait (and frees its place) at once.
      const onClose = () => gone.abort()
      reply.raw.once('close', onClose)
      // No byte goes out while waiting: keep the socket's idle timeout beyond the wait.
      // (The keep-alive timeout replaces it once the answer is sent.)
      request.raw.socket?.setTimeout?.((waitSeconds + 15) * 1000)
      await waited
      reply.raw.off('close', onClose)
      // After a hang-up the answer goes nowhere; sending it anyway lets Fastify finish the request.
      return current(request, id)
    },
  )
}

