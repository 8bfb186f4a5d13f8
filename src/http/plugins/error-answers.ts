// Answers for requests that never reach a route's hooks, so that they too have the error body of
// SPEC §2, a request id and the security headers: paths with broken percent-encoding and over-long
// path parameters (Fastify's `frameworkErrors`), and HTTP the parser refuses, such as CR, LF or NUL
// in a header or the request line (Node's `clientError`).
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, coerceError, type ErrorCode } from '../../core/errors.js'

/**
 * The headers helmet adds in its onRequest hook, reduced to what a JSON error needs; used where
 * hooks do not run. An error body never needs to load anything, hence `default-src 'none'`.
 */
export const BASELINE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
}

/** The error body of SPEC §2. */
export function errorBody(error: AppError, requestId: string) {
  return { success: false, error: { code: error.code, message: error.message }, request_id: requestId }
}

const CLOSE_GRACE_MS = 1_000

/** Errors raised before any route runs, by their code → our code (status and message from the catalogue). */
const EARLY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'invalid_path',
  // Every path parameter of this API is a download id.
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_download_id',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADER_OVERFLOW: 'headers_too_large',
}

function earlyAppError(code: string | undefined, otherwise: () => AppError): AppError {
  const known = code === undefined ? undefined : EARLY_ERRORS[code]
  return known ? new AppError(known) : otherwise()
}

/** Fastify's `frameworkErrors` option: errors found while routing, before any hook runs. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError = earlyAppError(error.code, () => coerceError(error))
  request.log.info({ code: appError.code, status: appError.statusCode }, appError.message)
  void reply
    .code(appError.statusCode)
    .headers({ ...BASELINE_SECURITY_HEADERS, ...appError.headers, 'x-request-id': request.id })
    .send(errorBody(appError, request.id))
}

/** Fastify's `clientErrorHandler` option: the HTTP parser refused the request; answer and close. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const appError = earlyAppError(error.code, () =>
    new AppError('malformed_request'))
  const requestId = randomUUID()
  const body = JSON.stringify(errorBody(appError, requestId))
  const headers = {
    ...BASELINE_SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    connection: 'close',
  }
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.end(`HTTP/1.1 ${appError.statusCode} ${STATUS_CODES[appError.statusCode]}\r\n${head}\r\n${body}`)
  // end() only closes our side: a client that keeps sending (a slow-headers attack) would hold the
  // socket. Destroy it once the answer had a moment to be read.
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref()
}
