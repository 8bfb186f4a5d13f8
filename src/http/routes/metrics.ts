import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { errorResponses, textResponse } from '../schemas.js'

export const metricsRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/metrics',
    { config: { access: 'admin' }, schema: { operationId: 'getMetrics', summary: 'Prometheus metrics', response: { 200: textResponse('text/plain', 'Prometheus text format 0.0.4'), ...errorResponses(401, 403) } } },
    async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType)
      return deps.metrics.registry.metrics()
    },
  )
}
