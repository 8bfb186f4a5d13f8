// Every error a client can see has a stable snake_case code and an HTTP status.
// Anything else is a bug: it is logged in full and answered as a generic 500.

export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** extra headers for the answer, e.g. Retry-After on 429 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export const notFound = (what = 'download') => new AppError(404, 'not_found', `No such ${what}`)

export const invalidState = (message: string) => new AppError(409, 'invalid_state', message)

/** Fastify's own errors (validation, body parsing, size) mapped onto our codes. */
export function coerceError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown }
  if (e.validation) return new AppError(422, 'validation_error', e.message ?? 'Invalid request')
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', 'Send the body as application/json')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'payload_too_large', 'The request body is too large')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'invalid_json', 'The request body is not valid JSON')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(400, 'invalid_content_length', 'Content-Length does not match the body')
  }
  if (err instanceof SyntaxError) return new AppError(400, 'invalid_json', 'The request body is not valid JSON')
  const status = e.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return new AppError(status, 'bad_request', e.message ?? 'Bad request')
  }
  return new AppError(500, 'internal_error', 'Internal server error')
}
