// Every error a client can see has a stable snake_case code and an HTTP status.
// Anything else is a bug: it is logged in full and answered as a generic 500.
// The operator's errors live here too: a ConfigError or a StartupError ends `vds` with one line
// (no stack trace) and its exit code.

/** sysexits.h codes the CLI ends with on an operator's error. */
export const EXIT_CODES = {
  /** EX_CONFIG: the configuration (or a file it names) is unusable */
  config: 78,
  /** EX_UNAVAILABLE: the port is taken or may not be used */
  unavailable: 69,
  /** EX_TEMPFAIL: the data folder is in use by another server */
  inUse: 75,
  /** EX_CANTCREAT: the disk is full or read-only */
  cannotWrite: 73,
} as const

/** A configuration problem: names the key and says how to fix it. Exit code 78. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly exitCode = EXIT_CODES.config
}

/** A problem of the machine at start-up (port in use, data folder in use, disk full): one line. */
export class StartupError extends Error {
  override name = 'StartupError'
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

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

/**
 * A start-up failure the operator can fix, as a one-line StartupError naming `what` failed (the
 * disk full or read-only, a permission, the port taken); any other error is returned unchanged.
 */
export function asStartupError(err: unknown, what: string): unknown {
  if (err instanceof ConfigError || err instanceof StartupError) return err
  const { code, message } = err as { code?: unknown; message?: string }
  switch (code) {
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return new StartupError(`${what}: the disk is full; free some space and start again`, EXIT_CODES.cannotWrite)
    case 'EROFS':
    case 'SQLITE_READONLY':
      return new StartupError(`${what}: the filesystem is read-only`, EXIT_CODES.cannotWrite)
    case 'EACCES':
    case 'EPERM':
    case 'SQLITE_CANTOPEN':
      return new StartupError(`${what}: permission denied (${message ?? code}); check the owner of the folder`, EXIT_CODES.cannotWrite)
    case 'EADDRINUSE':
      return new StartupError(`${what}: the address is already in use by another program; stop it or set server.port`, EXIT_CODES.unavailable)
    case 'EADDRNOTAVAIL':
      return new StartupError(`${what}: this machine has no such address; check server.host`, EXIT_CODES.unavailable)
  }
  return err
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
