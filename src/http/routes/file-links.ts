// Signed file links: open without a key or cookie, because the signature is the credential.
// Everything wrong with a link — forged, altered, expired, for another file, its key revoked —
// is the same 403 invalid_file_link, so a guesser learns nothing; the log line says which.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import { FILE_LINK_PREFIX } from '../../links/file-links.js'
import type { AppDeps } from '../app-deps.js'
import { fileResponses } from '../schemas.js'
import { sendDownloadFile } from '../send-download-file.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const invalidLink = () =>
  new AppError('invalid_file_link', 'This file link is not valid: it was changed, it expired, or its key was revoked. Get a fresh one from the download\'s status.')

export const fileLinksRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    `${FILE_LINK_PREFIX}/:download_id/:index`,
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getSignedFile',
        summary: 'A signed file link (the download object\'s file_url): one file, no key needed, until it expires',
        security: [],
        params: Type.Object({ download_id: Type.String(), index: Type.String() }),
        querystring: Type.Object(
          {
            k: Type.Optional(Type.String({ description: 'name of the key the link was made for' })),
            exp: Type.Optional(Type.String({ description: 'expiry, unix seconds' })),
            sig: Type.Optional(Type.String({ description: 'signature' })),
            download: Type.Optional(Type.String({ description: '1: Content-Disposition attachment (save) instead of inline (play)' })),
          },
          { additionalProperties: true },
        ),
        response: fileResponses(403, 404),
      },
    },
    async (request, reply) => {
      const { download_id, index } = request.params
      if (!UUID.test(download_id) || !/^\d{1,6}$/.test(index)) throw invalidLink()
      const row = deps.downloads.findById(download_id)
      const file = row ? deps.files.fileOf(row, Number(index)) : undefined
      // Checked against the file as recorded, so a link never opens a file it was not made for.
      const verdict = file ? deps.fileLinks.check({ ...request.query, download_id, index: Number(index) }, file) : { ok: false as const, reason: 'no_such_file' }
      if (!verdict.ok || !file) {
        request.log.info({ reason: verdict.ok ? 'no_such_file' : verdict.reason, download_id }, 'file link refused')
        throw invalidLink()
      }
      const download = request.query.download === '1' || request.query.download === 'true'
      return sendDownloadFile(request, reply, deps.downloadsDir, file, download ? 'attachment' : 'inline')
    },
  )
}
