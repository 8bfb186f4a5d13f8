// Actions on one download: the finished file (with Range), retry, cancel, delete.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError, invalidState, notFound } from '../../core/errors.js'
import { confineToDownloads } from '../../jobs/output-paths.js'
import type { ActionRefusal, JobActionResult } from '../../jobs/download-actions.js'
import type { AppDeps } from '../app-deps.js'
import { toDownloadView } from '../download-view.js'
import { Download, DownloadIdParams, errorResponses } from '../schemas.js'
import { parseDownloadId } from './status.js'

/** RFC 6266: a plain ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `inline; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

export const downloadsRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  /** The stored path if it is still a regular file inside the downloads folder. */
  const confinedPath = (filePath: string) => confineToDownloads(deps.downloadsDir, filePath).catch(() => undefined)

  const refused = (refusal: ActionRefusal, conflict: string) => (refusal.reason === 'not_found' ? notFound() : invalidState(conflict))
  const view = (result: JobActionResult, action: string) => {
    if (!result.ok) throw refused(result, `This download cannot be ${action} in its current state`)
    return toDownloadView(result.row, deps.config.server.public_url)
  }

  app.get(
    '/api/v1/downloads/:download_id/file',
    {
      config: { access: 'submit' },
      schema: {
        summary: 'The finished file; supports Range requests',
        params: DownloadIdParams,
        response: errorResponses(400, 401, 404, 416),
      },
    },
    async (request, reply) => {
      const row = deps.downloads.findById(parseDownloadId(request.params.download_id))
      if (!row || row.status !== 'completed' || !row.file_path) throw new AppError(404, 'not_found', 'No finished file for this download')
      const relative = await confinedPath(row.file_path)
      if (!relative) throw new AppError(404, 'not_found', 'The file of this download is no longer on disk')
      reply.header('content-disposition', contentDisposition(row.filename ?? relative))
      return reply.sendFile(relative, deps.downloadsDir, { dotfiles: 'allow', cacheControl: false })
    },
  )

  app.post(
    '/api/v1/downloads/:download_id/retry',
    {
      config: { access: 'admin' },
      schema: { summary: 'Failed or cancelled → pending', params: DownloadIdParams, response: { 200: Download, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => view(deps.actions.retry(parseDownloadId(request.params.download_id)), 'retried'),
  )

  app.post(
    '/api/v1/downloads/:download_id/cancel',
    {
      config: { access: 'admin' },
      schema: { summary: 'Pending or downloading → cancelled; stops yt-dlp', params: DownloadIdParams, response: { 200: Download, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (request) => view(await deps.actions.cancel(parseDownloadId(request.params.download_id)), 'cancelled'),
  )

  app.delete(
    '/api/v1/downloads/:download_id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Forget a download (not while it is downloading); ?delete_file=true also removes the file',
        params: DownloadIdParams,
        querystring: Type.Object({ delete_file: Type.Boolean({ default: false }) }),
        response: {
          200: Type.Object({ success: Type.Literal(true), download_id: Type.String(), file_deleted: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const id = parseDownloadId(request.params.download_id)
      const result = await deps.actions.delete(id, { deleteFile: request.query.delete_file })
      if (!result.ok) throw refused(result, 'This download is running; cancel it first')
      return { success: true as const, download_id: id, file_deleted: result.fileDeleted }
    },
  )
}
