// Builds the Fastify app: plugins, hooks, error handling, routes. It never listens; main.ts does.
import { randomUUID } from 'node:crypto'
import Fastify, { LogController, type FastifyError } from 'fastify'
import { constants as zlibConstants } from 'node:zlib'
import compress from '@fastify/compress'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fastifyStatic from '@fastify/static'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppDeps } from './app-deps.js'
import { pushRoutes } from './routes/push.js'
import { pairingRoutes } from './routes/pairing.js'
import { caRoutes } from './routes/ca.js'
import { AppError, coerceError } from '../core/errors.js'
import { validationError } from './request-errors.js'
import { CONNECTION_LIMITS, connectionOptions, type ConnectionLimits } from './connection-limits.js'
import { validatorCompiler } from './plugins/validator.js'
import { lazySerializerFactory } from './plugins/lazy-serializers.js'
import { securityHeadersPlugin } from './plugins/security-headers.js'
import { createRouteMethodIndex } from './plugins/route-methods.js'
import fastifyCookie from '@fastify/cookie'
import { authPlugin } from './plugins/auth.js'
import { sessionRoutes } from './routes/session.js'
import { answerClientError, answerFrameworkError, errorBody } from './plugins/error-answers.js'
import { useStrictJsonBodies } from './plugins/json-body.js'
import { submitRoute } from './routes/submit.js'
import { statusRoute } from './routes/status.js'
import { historyRoute } from './routes/history.js'
import { healthRoute } from './routes/health.js'
import { downloadsRoutes } from './routes/downloads.js'
import { filesRoutes } from './routes/files.js'
import { fileLinksRoute } from './routes/file-links.js'
import { eventsRoute } from './routes/events.js'
import { metricsRoute } from './routes/metrics.js'
import { webUiRoutes } from './routes/web-ui.js'
import { swaggerOptions } from './openapi.js'
import { toolsRoutes } from './routes/tools.js'
import { cookiesRoutes } from './routes/cookies.js'

const routeIndexes = new WeakMap<object, ReturnType<typeof createRouteMethodIndex>>()

/** Every route the app registered (pattern and methods): the security tests cover each one. */
export function registeredRoutes(app: BuiltApp): Array<{ url: string; methods: string[] }> {
  return routeIndexes.get(app)?.list() ?? []
}

// Any visible ASCII the client sends is echoed (logs are JSON, so it cannot forge a log line).
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/

export interface ServerOptions {
  /** TLS options of the HTTPS server; none: plain HTTP */
  https?: object | null
  /** default {@link CONNECTION_LIMITS}; tests shorten them */
  limits?: ConnectionLimits
}

export async function buildApp(deps: AppDeps, serverOptions: ServerOptions = {}) {
  const app = Fastify({
    loggerInstance: deps.log,
    ...connectionOptions(serverOptions.limits ?? CONNECTION_LIMITS, serverOptions.https ?? null),
    bodyLimit: deps.config.security.max_body_bytes,
    // request.ip (wrong-key slowdown, logs) is the proxy's address unless the proxy is trusted.
    trustProxy: deps.config.server.trusted_proxies.length > 0 ? deps.config.server.trusted_proxies : false,
    // Echo a client's request id when it is safe to log; otherwise make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID()
    },
    return503OnClosing: true,
    // Answers that bypass the hooks still get the error body, a request id and security headers.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // One line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Our own validators (Fastify would otherwise load Ajv for nothing; its types expect an Ajv-like
    // compiler, ours takes the same route schema) and response serializers that compile at their
    // route's first answer instead of all at start-up (lazy-serializers.ts).
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as never, buildSerializer: lazySerializerFactory } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // JSON only: Fastify's built-in text/plain parser would let a pasted URL through as a string body.
  app.removeContentTypeParser('text/plain')
  useStrictJsonBodies(app)

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  // Timed from onRequest so auth and validation count; the route pattern keeps label cardinality low.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    deps.metrics.observeHttp(route, request.method, reply.statusCode, reply.elapsedTime / 1000)
    request.log.info(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, client: request.principal?.name, ip: request.ip },
      'request',
    )
  })

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appError = err.validation
      ? validationError(err.validationContext, err.validation, request)
      : coerceError(err)
    if (appError.statusCode >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: appError.code, status: appError.statusCode }, appError.message)
    // A file route may have named its file before failing: the error is JSON, not that file.
    reply.removeHeader('content-disposition')
    reply.removeHeader('content-type')
    return reply
      .code(appError.statusCode)
      .headers(appError.headers)
      .send(errorBody(appError, request.id))
  })

  // GET where POST is expected is the most common Shortcut mistake: answer 405 with Allow.
  const routeMethods = createRouteMethodIndex()
  routeIndexes.set(app, routeMethods)
  app.addHook('onRoute', (route) => routeMethods.add(route.url, route.method))
  app.setNotFoundHandler((request, reply) => {
    // The file sender ends here when a file vanished after it was named: the answer is JSON.
    reply.removeHeader('content-disposition')
    reply.removeHeader('content-type')
    const path = request.url.split('?')[0] ?? '/'
    const allowed = routeMethods.methodsFor(path)
    // A route for this method that found nothing (a file missing under /docs/static/) is a 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const message = `${request.method} is not allowed here; use ${allowed.join(' or ')}`
      return reply.code(405).header('allow', allowed.join(', ')).send(errorBody(new AppError('method_not_allowed', message), request.id))
    }
    return reply.code(404).send(errorBody(new AppError('not_found', `No route ${request.method} ${path}`), request.id))
  })

  await app.register(securityHeadersPlugin)
  // JSON, HTML, JS and CSS (and text) are compressed when the client asks; media files, already
  // compressed, are not (mime-db says they are not compressible). Request bodies stay as sent: a
  // compressed body would slip past security.max_body_bytes.
  await app.register(compress, {
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // Quality 4 is most of brotli's gain at a small part of its CPU (the default, 11, is for build steps).
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  })

  await app.register(swagger, swaggerOptions(deps.config, deps.version))
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Its own CSP allows framing by the same origin and forces https subresources (breaking the page
    // over plain HTTP): keep the app-wide rules instead. Swagger UI adds <style> elements while it
    // renders, so its pages allow inline styles (never inline scripts).
    transformStaticCSP: (header) =>
      header
        .replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'")
        .replace(/\s*upgrade-insecure-requests;?/, '')
        .replace(/style-src ([^;]*)/, (_all, sources: string) => `style-src ${sources.trim()} 'unsafe-inline'`),
  })

  // Parses Cookie for the session (no secret: the session value carries its own HMAC, bound to the key).
  await app.register(fastifyCookie)
  await app.register(authPlugin, deps)
  await app.register(sessionRoutes, deps)
  await app.register(healthRoute, deps)
  await app.register(submitRoute, deps)
  await app.register(statusRoute, deps)
  await app.register(historyRoute, deps)
  // Files are sent with reply.sendFile (Range, ETag, Content-Type); nothing is served by path.
  await app.register(fastifyStatic, { root: deps.downloadsDir, serve: false })
  await app.register(downloadsRoutes, deps)
  await app.register(filesRoutes, deps)
  await app.register(fileLinksRoute, deps)
  await app.register(eventsRoute, deps)
  await app.register(metricsRoute, deps)
  await app.register(pushRoutes, deps)
  await app.register(pairingRoutes, deps)
  await app.register(toolsRoutes, deps)
  await app.register(cookiesRoutes, deps)
  await app.register(caRoutes, { caCert: deps.caCert })
  await app.register(webUiRoutes)

  // SPEC §2: the API description is open, like the page that shows it (/docs), so a generator can read it.
  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger())

  return app
}

export type BuiltApp = Awaited<ReturnType<typeof buildApp>>
