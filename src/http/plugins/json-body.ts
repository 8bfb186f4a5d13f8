// The one body parser: application/json in UTF-8, at most MAX_JSON_DEPTH levels deep, with
// Fastify's own prototype-poisoning defence (`__proto__` and `constructor.prototype` are refused).
// Other media types, `application/*+json` included, stay 415: every client (Shortcut, web UI, CLI)
// sends plain application/json, and one parser means one set of rules to reason about.
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../core/errors.js'

/** A submission is one flat object; 20 levels leave room for any honest client. */
export const MAX_JSON_DEPTH = 20

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** True when arrays/objects nest deeper than maxDepth; brackets inside strings do not count. */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return false
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i

/** Replaces Fastify's JSON parser (call before routes are registered). */
export function useStrictJsonBodies(app: Pick<FastifyInstance, 'getDefaultJsonParser' | 'removeContentTypeParser' | 'addContentTypeParser'>): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase()
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new AppError('unsupported_media_type', `Send the JSON body as UTF-8 (charset=utf-8), not ${charset}`), undefined)
      return
    }
    // An empty body is no body (SPEC §2: actions take an empty body under any content type, and
    // fetch() clients often send the header anyway); a route that needs one says so when validating it.
    if ((body as string).trim() === '') {
      done(null, undefined)
      return
    }
    if (jsonNestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      done(new AppError('invalid_json', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined)
      return
    }
    void parseJson(request, body as string, done)
  })
  // Any other media type: an empty body is no body (a Shortcut's "Get Contents of URL" may label
  // an empty POST as text/plain or a form); anything in it is 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if ((body as string).trim() === '') done(null, undefined)
    else done(new AppError('unsupported_media_type'), undefined)
  })
}
