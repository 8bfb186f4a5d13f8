// API-key and session-cookie authentication and scopes. Routes declare `config: { access }`;
// anything undeclared needs an admin key, so a forgotten declaration fails closed. Wrong keys are
// logged (the address, never the key) and counted per address; see auth-failures.ts. A request
// without a key may carry the web UI's session cookie (sessions/session-tokens.ts); it must then
// pass the Origin rule (own-origin.ts). A key, when sent, wins: key-authenticated requests need no Origin.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../../core/errors.js'
import { ANONYMOUS_NAME, KeyScope, type Principal } from '../../core/types.js'
import { SESSION_COOKIE } from '../../sessions/session-tokens.js'
import type { AppDeps } from '../app-deps.js'
import { originAllowed } from '../own-origin.js'
import { createAuthFailureTracker } from './auth-failures.js'

export type Access = 'public' | KeyScope

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route; default admin */
    access?: Access
  }
  interface FastifyRequest {
    /** the authenticated caller; null on public routes */
    principal: Principal | null
  }
  interface FastifyInstance {
    /** The principal of a presented key, counting a wrong one against the address (401/429 errors). */
    verifyKey(request: FastifyRequest, key: string): Principal
  }
}

const ANONYMOUS: Principal = { name: ANONYMOUS_NAME, scope: KeyScope.admin }

/** The key from `X-API-Key` or `Authorization: Bearer`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header.length > 0) return header.trim()
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  return match?.[1]
}

/** Swagger UI's routes under /docs: open without a key (SPEC §2), like /openapi.json. */
const isApiDocs = (url: string | undefined) => url !== undefined && /^\/docs(\/|$)/.test(url)

/**
 * Undeclared routes need an admin key (fail closed). Requests matching no route (url undefined)
 * need any valid key: a phone with a submit key that used the wrong method or path gets a 404/405
 * that says so, not a misleading 403, and nobody without a key learns which paths exist.
 */
function defaultAccess(url: string | undefined): Access {
  if (url === undefined) return KeyScope.submit
  return isApiDocs(url) ? 'public' : KeyScope.admin
}

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="vds"' }

/** Registered with fastify-plugin so the hook applies to every route, not just an encapsulated scope. */
export const authPlugin = fp<Pick<AppDeps, 'config' | 'keys' | 'submissions' | 'sessions'>>(async (app, deps) => {
  const failures = createAuthFailureTracker()
  app.decorateRequest('principal', null)
  app.decorate('verifyKey', verifyKey)
  app.addHook('onRequest', async (request, reply) => {
    const access: Access = request.routeOptions.config?.access ?? defaultAccess(request.routeOptions.url)
    if (access === 'public') return
    const principal = deps.config.security.require_api_key ? authenticate(request) : ANONYMOUS
    // Every authenticated answer tells the caller where it stands; submit answers update this.
    reply.headers(deps.submissions.rateLimitHeaders(principal.name))
    if (access === KeyScope.admin && principal.scope !== KeyScope.admin) {
      throw new AppError('forbidden', `The key "${principal.name}" has the submit scope; this needs an admin key`)
    }
    request.principal = principal
  })

  /** The caller's principal, or a 401/403/429 error. */
  function authenticate(request: FastifyRequest): Principal {
    const key = presentedKey(request)
    if (key !== undefined) return verifyKey(request, key)
    const session = request.cookies[SESSION_COOKIE]
    if (session !== undefined) return sessionPrincipal(request, session)
    // No key is not a guess (a browser before its first login): it is not counted.
    throw new AppError('unauthorized', 'Missing API key: send it in the X-API-Key header', UNAUTHORIZED_HEADERS)
  }

  /**
   * A forged cookie is not counted as a wrong key: its HMAC cannot be guessed, and counting it would
   * let any page lock a user's address out by making the browser send a stale cookie.
   */
  function sessionPrincipal(request: FastifyRequest, value: string): Principal {
    const principal = deps.sessions.verify(value)
    if (!principal) {
      throw new AppError('unauthorized', 'Your session has ended (it expired, you signed out, or its key was revoked): sign in with a key again', UNAUTHORIZED_HEADERS)
    }
    if (!originAllowed(request, deps.config)) {
      request.log.warn({ remote_address: request.ip, origin: request.headers.origin ?? null }, 'session request refused: foreign origin')
      throw new AppError('foreign_origin')
    }
    return principal
  }

  function verifyKey(request: FastifyRequest, key: string): Principal {
    const waitSeconds = failures.secondsBlocked(request.ip)
    if (waitSeconds > 0) {
      throw new AppError('too_many_auth_failures', `Too many wrong API keys from this address; try again in ${waitSeconds} s`, {
        'retry-after': String(waitSeconds),
      })
    }
    const principal = deps.keys.verify(key)
    if (principal) {
      failures.recordSuccess(request.ip)
      return principal
    }
    const blockedSeconds = failures.recordFailure(request.ip)
    request.log.warn({ remote_address: request.ip, blocked_seconds: blockedSeconds }, 'authentication failed: wrong API key')
    throw new AppError('unauthorized', 'Invalid API key: check it, or ask the owner for a new one (vds keys add)', UNAUTHORIZED_HEADERS)
  }
}, { name: 'vds-auth' })
