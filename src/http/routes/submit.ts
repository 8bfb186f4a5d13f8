import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app-deps.js'
import { SubmitAccepted, SubmitBody, errorResponses, type SubmitAcceptedBody } from '../schemas.js'

export const submitRoute: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post(
    '/api/v1/download',
    {
      config: { access: 'submit' },
      schema: {
        summary: 'Queue a video link; answered only after it is stored durably',
        body: SubmitBody,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
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
      // The body was built (or replayed) by the service in the SubmitAccepted shape.
      return reply.code(answer.statusCode as 200 | 201).headers(answer.headers).send(answer.body as SubmitAcceptedBody)
    },
  )
}
