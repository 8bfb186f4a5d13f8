import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { SubmitAccepted, SubmitBody, errorResponses } from '../schemas.js'

export const submitRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post(
    '/api/v1/download',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'submitDownload',
        summary: 'Queue a video link; answered only after it is stored durably',
        body: SubmitBody,
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string', maxLength: 255, description: 'the same key again answers the first answer (200, Idempotent-Replayed: true)' },
          },
        },
        response: { 200: SubmitAccepted, 201: SubmitAccepted, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key']
      const answer = await deps.submissions.submit({
        body: request.body,
        principal: request.principal,
        idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      })
      return reply.code(answer.statusCode as 200 | 201).headers(answer.headers).send(answer.body)
    },
  )
}
