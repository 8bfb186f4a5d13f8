import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'

export const metricsRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/metrics',
    { config: { access: 'admin' }, schema: { summary: 'Prometheus metrics', hide: false } },
    async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType)
      return deps.metrics.registry.metrics()
    },
  )
}
