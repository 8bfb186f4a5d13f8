// The OpenAPI document (GET /openapi.json, /docs), generated from the route schemas that validate
// requests, then finished here so that client generators can use it: each titled schema becomes one
// named component referenced everywhere it is used, every operation has an operationId, and the
// headers every answer carries (request id, rate limits, Retry-After, WWW-Authenticate,
// Content-Range on 416) are listed next to each response.
import type { SwaggerOptions } from '@fastify/swagger'
import type { Config } from '../core/config.js'

type Json = Record<string, unknown>
type Operation = Json & { operationId?: string; security?: unknown[]; responses?: Record<string, Json> }

const SCHEMAS_PATH = '#/components/schemas/'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

/** The headers answers carry, described once under components.headers. */
const COMMON_HEADERS: Record<string, Json> = {
  'X-Request-Id': { description: 'the request id (the client\'s own when it sent a usable one); also in error bodies', schema: { type: 'string' } },
  'X-RateLimit-Limit': { description: 'submissions allowed per hour for this client', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'submissions left in the current hour', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'unix seconds when the window resets', schema: { type: 'integer' } },
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
  'WWW-Authenticate': { description: 'Bearer realm="vds"', schema: { type: 'string' } },
  'Content-Range': { description: 'bytes */SIZE: the file\'s size, for a range outside it', schema: { type: 'string' } },
}
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` })

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Replaces every schema carrying a `title` with a reference to one component of that name
 * (innermost first, so components reference each other too). A nullable use becomes
 * `allOf: [ref]` + `nullable`, since OpenAPI 3.0 ignores the siblings of a $ref.
 */
function nameSchemas(node: unknown, components: Record<string, Json>): unknown {
  if (Array.isArray(node)) return node.map((item) => nameSchemas(item, components))
  if (!isObject(node)) return node
  const walked: Json = {}
  for (const [key, value] of Object.entries(node)) walked[key] = nameSchemas(value, components)
  const name = walked.title
  const looksLikeSchema = typeof walked.type === 'string' || isObject(walked.properties) || Array.isArray(walked.anyOf)
  if (typeof name !== 'string' || !looksLikeSchema) return walked
  const { nullable, ...schema } = walked
  const existing = components[name]
  if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) {
    throw new Error(`OpenAPI: two different schemas are both titled "${name}"`)
  }
  components[name] = schema
  return nullable === true ? { allOf: [{ $ref: SCHEMAS_PATH + name }], nullable: true } : { $ref: SCHEMAS_PATH + name }
}

/** "/api/v1/downloads/{download_id}/file" + get → "getApiV1DownloadsDownloadIdFile", for routes that name none. */
function fallbackOperationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean)
  return method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')
}

/** Adds the headers each response carries; documents every answer a route gives. */
function describeHeaders(operation: Operation, keyed: boolean): void {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const headers: Json = { 'X-Request-Id': headerRef('X-Request-Id'), ...(isObject(response.headers) ? response.headers : {}) }
    if (keyed) {
      for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) headers[name] = headerRef(name)
    }
    if (status === '429' || status === '503') headers['Retry-After'] = headerRef('Retry-After')
    if (status === '401') headers['WWW-Authenticate'] = headerRef('WWW-Authenticate')
    if (status === '416') headers['Content-Range'] = headerRef('Content-Range')
    response.headers = headers
  }
}

export function finishOpenApi(document: Json): Json {
  const components = (document.components ?? {}) as Json & { schemas?: Record<string, Json> }
  const named: Record<string, Json> = { ...(components.schemas ?? {}) }
  const paths = nameSchemas(document.paths ?? {}, named) as Record<string, Record<string, Operation>>
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method]
      if (!operation) continue
      operation.operationId ??= fallbackOperationId(method, path)
      // `security: []` marks the routes open without a key; those send no rate-limit headers.
      const keyed = !(Array.isArray(operation.security) && operation.security.length === 0)
      describeHeaders(operation, keyed)
    }
  }
  return { ...document, paths, components: { ...components, schemas: named, headers: COMMON_HEADERS } }
}

/** The servers list: the public address when one is configured, else relative to where it was read. */
export function openApiServers(config: Pick<Config, 'server'>): { url: string; description: string }[] {
  const publicUrl = config.server.public_url
  if (publicUrl) return [{ url: publicUrl.replace(/\/+$/, ''), description: 'server.public_url' }]
  return [{ url: '/', description: 'this server' }]
}

export function swaggerOptions(config: Pick<Config, 'server'>, version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Video Download Server',
        version,
        description: 'Queue video links from a phone, a page or a script; get the files back. See docs/api.md.',
      },
      servers: openApiServers(config),
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
    transformObject: (documents) => ('openapiObject' in documents ? finishOpenApi(documents.openapiObject as Json) : documents.swaggerObject) as never,
  }
}
