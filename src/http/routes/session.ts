// The web UI's session routes (SPEC §2). The page presents the key once; from then on the browser
// holds an HttpOnly cookie the page script cannot read, so a script injected into the page cannot
// carry the key away, and <video>, <img> and EventSource are authenticated without headers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import { ANONYMOUS_NAME, KeyScope } from '../../core/types.js'
import { SESSION_COOKIE } from '../../sessions/session-tokens.js'
import type { AppDeps } from '../app-deps.js'
import { ownOrigins } from '../own-origin.js'
import { errorResponses } from '../schemas.js'

const SessionBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 512, description: 'an API key (either scope)' }) }, { additionalProperties: false })
const Session = Type.Object(
  {
    success: Type.Literal(true),
    name: Type.String({ description: 'the key the session stands for' }),
    scope: Type.Enum([KeyScope.submit, KeyScope.admin]),
    expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null when the server needs no key' }),
  },
  { title: 'Session' },
)
const SessionCaller = Type.Object({ name: Type.String(), scope: Type.Enum([KeyScope.submit, KeyScope.admin]) }, { title: 'SessionCaller' })

/** The cookie's attributes; clearing it must repeat them or the browser keeps the old one. */
const COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const

/**
 * Signing in and out are open routes, but a page of another site must not sign a browser in (to a
 * key of the attacker's, so the user's downloads land in their history) or out: a foreign Origin is
 * refused. No Origin at all (curl, a script) is fine here, as the key itself is the credential.
 */
function refuseForeignOrigin(request: FastifyRequest, deps: AppDeps): void {
  const origin = request.headers.origin
  if (origin !== undefined && !ownOrigins(request, deps.config).has(origin)) throw new AppError('foreign_origin')
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store')

export const sessionRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post(
    '/api/v1/session',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'createSession',
        summary: 'Sign the web UI in: an HttpOnly, Secure, SameSite=Strict session cookie for this key',
        security: [],
        body: SessionBody,
        response: { 200: Session, ...errorResponses(400, 401, 403, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      refuseForeignOrigin(request, deps)
      const principal = app.verifyKey(request, request.body.key.trim())
      const session = deps.sessions.issue(principal)
      noStore(reply)
      // With security.require_api_key off there is no key to bind a session to; nothing is needed.
      if (!session || !deps.config.security.require_api_key) return { success: true as const, name: principal.name, scope: principal.scope, expires_at: null }
      request.log.info({ key_name: principal.name }, 'web UI session started')
      reply.setCookie(SESSION_COOKIE, session.value, { ...COOKIE_ATTRIBUTES, maxAge: session.maxAgeSeconds, expires: session.expiresAt })
      return { success: true as const, name: principal.name, scope: principal.scope, expires_at: session.expiresAt.toISOString() }
    },
  )

  app.get(
    '/api/v1/session',
    {
      config: { access: KeyScope.submit },
      schema: {
        operationId: 'getSession',
        summary: 'Who the caller is (the page cannot read its HttpOnly cookie)',
        response: { 200: SessionCaller, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      noStore(reply)
      const principal = request.principal ?? { name: ANONYMOUS_NAME, scope: KeyScope.admin }
      return { name: principal.name, scope: principal.scope }
    },
  )

  app.delete(
    '/api/v1/session',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'deleteSession',
        summary: 'Sign the web UI out: the session cookie is cleared',
        security: [],
        response: { 204: Type.Null(), ...errorResponses(403) },
      },
    },
    async (request, reply) => {
      refuseForeignOrigin(request, deps)
      noStore(reply)
      return reply.clearCookie(SESSION_COOKIE, COOKIE_ATTRIBUTES).code(204).send(null)
    },
  )
}
