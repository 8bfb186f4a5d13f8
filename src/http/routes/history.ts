import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { viewsFor } from '../download-views.js'
import { HistoryPage, HistoryQuery, errorResponses } from '../schemas.js'

export const historyRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/history',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'listHistory',
        summary: 'Downloads, newest first, with paging and filters',
        querystring: HistoryQuery,
        response: { 200: HistoryPage, ...errorResponses(401, 422) },
      },
    },
    async (request) => {
      // The validator fills in the defaults; the fallbacks only satisfy the type.
      const { limit = 50, offset = 0, status, client_id, q } = request.query
      const { rows, total } = deps.downloads.history({ limit, offset, status, client_id, q })
      return { downloads: viewsFor(deps, request).many(rows), total, limit, offset }
    },
  )
}
