// API-key authentication and scopes. Routes declare `config: { access }`; anything undeclared
// needs an admin key, so a forgotten declaration fails closed.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.js'
import { KeyScope, type Principal } from '../types.js'
import type { AppDeps } from './app.js'

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
}

const ANONYMOUS: Principal = { name: 'anonymous', scope: KeyScope.admin }

/** The key from `X-API-Key` or `Authorization: Bearer`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header.length > 0) return header.trim()
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  return match?.[1]
}

/** Static assets of plugins (the API docs UI) are public like the web UI. */
const isPublicAsset = (url: string | undefined) => url !== undefined && /^\/docs(\/|$)/.test(url)

/** Registered with fastify-plugin so the hook applies to every route, not just an encapsulated scope. */
export const authPlugin = fp<Pick<AppDeps, 'config' | 'keys'>>(async (app, deps) => {
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => {
    const access: Access = request.routeOptions.config?.access ?? (isPublicAsset(request.routeOptions.url) ? 'public' : 'admin')
    if (access === 'public') return
    if (!deps.config.security.require_api_key) {
      request.principal = ANONYMOUS
      return
    }
    const key = presentedKey(request)
    const principal = key === undefined ? undefined : deps.keys.verify(key)
    if (!principal) {
      throw new AppError(401, 'unauthorized', key === undefined
        ? 'Missing API key: send it in the X-API-Key header'
        : 'Invalid API key', { 'www-authenticate': 'Bearer realm="vds"' })
    }
    if (access === KeyScope.admin && principal.scope !== KeyScope.admin) {
      throw new AppError(403, 'forbidden', `The key "${principal.name}" has the submit scope; this needs an admin key`)
    }
    request.principal = principal
  })
}, { name: 'vds-auth' })
