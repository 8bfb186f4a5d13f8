// Actions on one download: retry, cancel, delete. Its files are served by files.ts.
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { invalidState, notFound } from '../../core/errors.js'
import type { ActionRefusal, JobActionResult } from '../../jobs/download-actions.js'
import type { AppDeps } from '../app-deps.js'
import { viewsFor } from '../download-views.js'
import { DeletedDownload, Download, DownloadIdParams, errorResponses } from '../schemas.js'
import { parseDownloadId } from './status.js'

export const downloadsRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {

  const refused = (refusal: ActionRefusal, conflict: string) => (refusal.reason === 'not_found' ? notFound() : invalidState(conflict))
  const view = (request: FastifyRequest, result: JobActionResult, action: string) => {
    if (!result.ok) throw refused(result, `This download cannot be ${action} in its current state`)
    return viewsFor(deps, request).one(result.row)
  }

  app.post(
    '/api/v1/downloads/:download_id/retry',
    {
      config: { access: 'admin' },
      schema: { operationId: 'retryDownload', summary: 'Failed or cancelled → pending', params: DownloadIdParams, response: { 200: Download, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => view(request, await deps.actions.retry(parseDownloadId(request.params.download_id)), 'retried'),
  )

  app.post(
    '/api/v1/downloads/:download_id/cancel',
    {
      config: { access: 'admin' },
      schema: { operationId: 'cancelDownload', summary: 'Pending or downloading → cancelled; stops the downloader', params: DownloadIdParams, response: { 200: Download, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => view(request, await deps.actions.cancel(parseDownloadId(request.params.download_id)), 'cancelled'),
  )

  app.delete(
    '/api/v1/downloads/:download_id',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'deleteDownload',
        summary: 'Forget a download (not while it is downloading); ?delete_file=true also removes its files (those no other download shares)',
        params: DownloadIdParams,
        querystring: Type.Object({ delete_file: Type.Optional(Type.Boolean({ default: false, description: 'true: also remove its files' })) }),
        response: {
          200: DeletedDownload,
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const id = parseDownloadId(request.params.download_id)
      const result = await deps.actions.delete(id, { deleteFile: request.query.delete_file === true })
      if (!result.ok) throw refused(result, 'This download is running; cancel it first')
      return { success: true as const, download_id: id, file_deleted: result.fileDeleted }
    },
  )
}
