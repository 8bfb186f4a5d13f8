// Per-site cookies for sites that need a login (SPEC §2, §3). The body is a Netscape cookies.txt
// as text/plain; it is validated, stored 0600 in <data_dir>/cookies, and never served back or
// logged: answers say how many cookies and when the first expires. New cookies resume the jobs
// that wait for a login on that site.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import { InvalidCookiesError, InvalidSiteError, type CookieSiteInfo } from '../../logins/cookie-store.js'
import type { AppDeps } from '../app-deps.js'
import { errorResponses } from '../schemas.js'

/** A browser's whole cookie export can be large; one site's part is small. */
export const MAX_COOKIES_BODY_BYTES = 1024 * 1024

const SiteInfo = Type.Object({
  site: Type.String({ description: 'a domain, e.g. instagram.com (its subdomains share the cookies)' }),
  cookies: Type.Integer({ description: 'how many cookies are stored for the site' }),
  earliest_expiry: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'the soonest expiry; null when all are session cookies' }),
  updated_at: Type.String({ format: 'date-time' }),
})
const StoredSite = Type.Object({
  ...SiteInfo.properties,
  skipped: Type.Integer({ description: 'cookies of other sites in the file, left out' }),
  resumed: Type.Integer({ description: 'downloads that waited for a login and now run again' }),
})
const SiteParams = Type.Object({ site: Type.String({ maxLength: 253 }) })

const invalidSite = (err: Error) => new AppError('invalid_site', err.message)

function siteError(err: unknown): never {
  if (err instanceof InvalidSiteError) throw invalidSite(err)
  if (err instanceof InvalidCookiesError) throw new AppError('invalid_cookies', err.message)
  throw err
}

export const cookiesRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  // Only in this plugin's scope: everywhere else text bodies stay refused (415).
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'string', bodyLimit: MAX_COOKIES_BODY_BYTES }, (_request, body, done) => done(null, body))

  app.put(
    '/api/v1/cookies/:site',
    {
      config: { access: 'admin' },
      bodyLimit: MAX_COOKIES_BODY_BYTES,
      schema: {
        operationId: 'putCookies',
        summary: "Store a site's cookies (Netscape cookies.txt as text/plain); resumes downloads waiting for a login",
        params: SiteParams,
        consumes: ['text/plain'],
        body: Type.String({ description: 'a Netscape cookies.txt (the format browser extensions export)' }),
        response: { 200: StoredSite, ...errorResponses(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request) => {
      let stored: CookieSiteInfo & { skipped: number }
      try {
        stored = deps.cookies.put(request.params.site, request.body)
      } catch (err) {
        siteError(err)
      }
      const resumed = await deps.logins.resumeSite(stored.site)
      request.log.info({ site: stored.site, cookies: stored.cookies, resumed }, 'cookies stored')
      return { ...stored, resumed }
    },
  )

  app.get(
    '/api/v1/cookies',
    {
      config: { access: 'admin' },
      schema: { operationId: 'listCookies', summary: 'Sites with stored cookies: count and earliest expiry, never the values', response: { 200: Type.Object({ sites: Type.Array(SiteInfo) }), ...errorResponses(401, 403) } },
    },
    async () => ({ sites: deps.cookies.list() }),
  )

  app.get(
    '/api/v1/cookies/:site',
    {
      config: { access: 'admin' },
      schema: { operationId: 'getCookies', summary: "One site's cookies: count and earliest expiry", params: SiteParams, response: { 200: SiteInfo, ...errorResponses(401, 403, 404, 422) } },
    },
    async (request) => {
      let info: CookieSiteInfo | undefined
      try {
        info = deps.cookies.get(request.params.site)
      } catch (err) {
        siteError(err)
      }
      if (!info) throw new AppError('not_found', `No cookies are stored for ${request.params.site}`)
      return info
    },
  )

  app.delete(
    '/api/v1/cookies/:site',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'deleteCookies',
        summary: "Forget a site's cookies",
        params: SiteParams,
        response: { 200: Type.Object({ success: Type.Literal(true), site: Type.String() }), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      let removed: boolean
      let site: string
      try {
        site = deps.cookies.normalize(request.params.site)
        removed = deps.cookies.remove(site)
      } catch (err) {
        siteError(err)
      }
      if (!removed) throw new AppError('not_found', `No cookies are stored for ${site}`)
      request.log.info({ site }, 'cookies removed')
      return { success: true as const, site }
    },
  )
}
