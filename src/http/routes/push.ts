// Web Push for the installed web app: the VAPID public key to subscribe with, and the subscription
// itself (what PushSubscription.toJSON() gives). Messages are sent by the notification outbox.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import { pushTargetKey } from '../../notify/targets.js'
import type { AppDeps } from '../app-deps.js'
import { errorResponses } from '../schemas.js'

const Base64Url = Type.String({ pattern: '^[A-Za-z0-9_-]+={0,2}$', maxLength: 200 })

export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ maxLength: 2048, description: 'the push service URL (https)' }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object({ p256dh: Base64Url, auth: Base64Url }, { additionalProperties: true }),
  },
  { additionalProperties: true },
)

const EndpointBody = Type.Object({ endpoint: Type.String({ maxLength: 2048 }) }, { additionalProperties: true })

const invalidSubscription = (message: string) => new AppError('invalid_subscription', message)

/** The endpoint must be an https URL: push services are, and nothing else is sent to. */
function checkEndpoint(endpoint: string): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw invalidSubscription('endpoint is not a URL')
  }
  if (url.protocol !== 'https:' || url.username || url.password) throw invalidSubscription('endpoint must be an https URL without user info')
  return url.href
}

function checkKey(value: string, bytes: number, name: string): void {
  if (Buffer.from(value, 'base64url').length !== bytes) throw invalidSubscription(`keys.${name} must be ${bytes} bytes, base64url`)
}

export const pushRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/push/public-key',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'getPushPublicKey',
        summary: 'The VAPID public key for PushManager.subscribe({applicationServerKey})',
        response: { 200: Type.Object({ public_key: Type.String(), enabled: Type.Boolean() }), ...errorResponses(401) },
      },
    },
    async () => ({ public_key: deps.notifier.senderContext().vapid.publicKey, enabled: deps.config.notifications.web_push.enabled }),
  )

  app.post(
    '/api/v1/push/subscriptions',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'subscribePush',
        summary: 'Store a Web Push subscription (PushSubscription.toJSON()); the same endpoint again replaces it',
        body: PushSubscriptionBody,
        response: { 201: Type.Object({ success: Type.Literal(true) }), ...errorResponses(400, 401, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const endpoint = checkEndpoint(request.body.endpoint)
      checkKey(request.body.keys.p256dh, 65, 'p256dh')
      checkKey(request.body.keys.auth, 16, 'auth')
      // Answered after the commit, as a submission is; a refused write is a 503 (storage_unavailable).
      await deps.notifications.saveSubscription({
        endpoint,
        p256dh: request.body.keys.p256dh,
        auth: request.body.keys.auth,
        api_key_name: request.principal?.name ?? null,
        created_at: new Date().toISOString(),
      })
      return reply.code(201).send({ success: true as const })
    },
  )

  app.delete(
    '/api/v1/push/subscriptions',
    {
      config: { access: 'submit' },
      schema: {
        operationId: 'unsubscribePush',
        summary: 'Forget a Web Push subscription by its endpoint',
        body: EndpointBody,
        response: { 200: Type.Object({ success: Type.Literal(true), removed: Type.Boolean() }), ...errorResponses(400, 401, 415, 422, 503) },
      },
    },
    async (request) => {
      const endpoint = checkEndpoint(request.body.endpoint)
      return { success: true as const, removed: await deps.notifications.deleteSubscription(endpoint, pushTargetKey(endpoint)) }
    },
  )
}
