import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { Health } from '../schemas.js'

export const healthRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: { operationId: 'getHealth', summary: 'Liveness and readiness; 503 when unhealthy', security: [], response: { 200: Health, 503: Health } },
    },
    async (_request, reply) => {
      const report = await deps.health.report()
      return reply.code(report.status === 'unhealthy' ? 503 : 200).send(report)
    },
  )
}
