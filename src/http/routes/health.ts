import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { Health } from '../schemas.js'

export const healthRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: { operationId: 'getHealth', summary: 'Liveness and readiness; 503 when unhealthy', security: [], response: { 200: Health, 503: Health } },
      // health.ts builds the report field by field as the schema says, so there is nothing to leave
      // out: plain JSON.stringify, and the first health check (what `npm start` to healthy waits
      // for) does not wait for fast-json-stringify and Ajv to load and compile this schema.
      serializerCompiler: () => (report) => JSON.stringify(report),
    },
    async (_request, reply) => {
      const report = await deps.health.report()
      return reply.code(report.status === 'unhealthy' ? 503 : 200).send(report)
    },
  )
}
