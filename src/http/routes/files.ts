// The files of a finished download, for callers with a key: /file is files[0], /files/{index} any.
// Signed links (no key) are in file-links.ts; both send through send-download-file.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import type { DownloadFileRow } from '../../core/types.js'
import type { AppDeps } from '../app-deps.js'
import { DownloadId, DownloadIdParams, fileResponses } from '../schemas.js'
import { sendDownloadFile } from '../send-download-file.js'
import { parseDownloadId } from './status.js'

const FileQuery = Type.Object({
  download: Type.Optional(Type.Boolean({ description: 'true: Content-Disposition attachment (save) instead of inline (play)' })),
})

const FILE_ANSWERS = fileResponses(400, 401, 404, 422)

export const filesRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  /** The file of a completed download, or 404. */
  const findFile = (rawId: string, index: number): DownloadFileRow => {
    const row = deps.downloads.findById(parseDownloadId(rawId))
    const file = row ? deps.files.fileOf(row, index) : undefined
    if (!file) throw new AppError('not_found', row?.status === 'completed' ? 'This download has no such file' : 'No finished file for this download')
    return file
  }

  app.get(
    '/api/v1/downloads/:download_id/file',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'getFile',
        summary: 'The first file of a finished download; supports Range requests',
        params: DownloadIdParams,
        querystring: FileQuery,
        response: FILE_ANSWERS,
      },
    },
    async (request, reply) => {
      const file = findFile(request.params.download_id, 0)
      return sendDownloadFile(request, reply, deps.downloadsDir, file, request.query.download ? 'attachment' : 'inline')
    },
  )

  app.get(
    '/api/v1/downloads/:download_id/files/:index',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'getFileByIndex',
        summary: 'Any file of a finished download by its index (0-based); supports Range requests',
        params: Type.Object({ download_id: DownloadId, index: Type.Integer({ minimum: 0, maximum: 100_000 }) }),
        querystring: FileQuery,
        response: FILE_ANSWERS,
      },
    },
    async (request, reply) => {
      const file = findFile(request.params.download_id, request.params.index)
      return sendDownloadFile(request, reply, deps.downloadsDir, file, request.query.download ? 'attachment' : 'inline')
    },
  )
}
