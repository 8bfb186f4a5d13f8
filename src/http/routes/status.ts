import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError, notFound } from '../../core/errors.js'
import type { AppDeps } from '../app-deps.js'
import { toDownloadView } from '../download-view.js'
import { Download, DownloadIdParams, errorResponses } from '../schemas.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The download id from the path, or 400 invalid_download_id. */
export function parseDownloadId(raw: string): string {
  if (!UUID.test(raw)) throw new AppError(400, 'invalid_download_id', 'The download id must be a UUID')
  return raw.toLowerCase()
}

export const statusRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/status/:download_id',
    {
      config: { access: 'submit' },
      schema: {
        summary: 'One download: status, progress, file and metadata',
        params: DownloadIdParams,
        response: { 200: Download, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const row = deps.downloads.findById(parseDownloadId(request.params.download_id))
      if (!row) throw notFound()
      return toDownloadView(row, deps.config.server.public_url)
    },
  )
}

