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

/**
 * The one catalogue of the codes a client can see: code → [HTTP status, default message]. A thrower
 * passes its own message when it knows more (which field, how long to wait); the status always comes
 * from here, so a code never answers with two statuses. docs/api.md's error table lists exactly these
 * codes with these statuses (test/core/errors.test.ts reads the table).
 */
export const ERROR_CATALOGUE = {
  invalid_json: [400, 'The request body is not valid JSON'],
  invalid_content_length: [400, 'Content-Length does not match the body'],
  invalid_download_id: [400, 'The download id must be a UUID'],
  invalid_file_index: [400, 'The file index must be a whole number from 0'],
  invalid_idempotency_key: [400, 'Idempotency-Key must be 1-255 visible ASCII characters'],
  invalid_path: [400, 'The path is not valid percent-encoded UTF-8'],
  malformed_request: [400, 'The HTTP request is malformed (for example CR, LF or NUL inside a header)'],
  bad_request: [400, 'Bad request'],
  unauthorized: [401, 'Missing API key: send it in the X-API-Key header'],
  forbidden: [403, 'This needs an admin key'],
  foreign_origin: [403, 'A request with the session cookie must come from this server’s own pages (its Origin header)'],
  invalid_file_link: [403, "This file link is not valid: it was changed, it expired, or its key was revoked. Get a fresh one from the download's status."],
  not_found: [404, 'No such download'],
  method_not_allowed: [405, 'This method is not allowed here'],
  request_timeout: [408, 'The request took too long to arrive'],
  invalid_state: [409, 'The action does not fit the download’s status'],
  name_taken: [409, 'A key or an open pairing with this name exists: pick another name'],
  pairing_expired: [410, 'This pairing link was already used or has expired: ask for a new one (vds pair NAME, or "Add a phone" in the web app)'],
  payload_too_large: [413, 'The request body is too large'],
  unsupported_media_type: [415, 'Send the body as application/json'],
  range_not_satisfiable: [416, 'The range asked for is outside the file'],
  invalid_url: [422, 'The URL must start with https:// or http://'],
  unsupported_site: [422, 'This site is not in downloads.allowed_domains'],
  url_too_long: [422, 'The URL is too long'],
  invalid_client_id: [422, 'client_id must be 1-128 of A-Z a-z 0-9 . _ : @ -'],
  invalid_timestamp: [422, 'timestamp must be ISO 8601 (2024-05-01T12:00:00Z) or unix seconds'],
  invalid_cookies: [422, 'The body is not a Netscape cookies.txt file'],
  invalid_site: [422, 'The site must be a domain such as instagram.com'],
  invalid_body: [422, 'The body must be a JSON object like {"url": "https://..."}'],
  invalid_query: [422, 'A query parameter is invalid'],
  invalid_subscription: [422, 'The push subscription is not valid'],
  idempotency_key_reused: [422, 'This Idempotency-Key was already used with a different body'],
  validation_error: [422, 'Invalid request'],
  rate_limited: [429, 'Too many submissions; try again later'],
  too_many_auth_failures: [429, 'Too many wrong API keys from this address; try again later'],
  too_many_pairing_attempts: [429, 'Too many wrong pairing codes from this address; try again later'],
  headers_too_large: [431, 'The request headers are too large'],
  internal_error: [500, 'Internal server error'],
  storage_unavailable: [503, 'The server cannot read or write its database right now; try again later'],
  too_many_event_streams: [503, 'The server already has its most event streams open; try again later'],
} as const satisfies Record<string, readonly [number, string]>

/** A code of {@link ERROR_CATALOGUE}: the only codes an AppError can carry. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE

export class AppError extends Error {
  override name = 'AppError'
  readonly statusCode: number
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code][1],
    /** extra headers for the answer, e.g. Retry-After on 429 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.statusCode = ERROR_CATALOGUE[code][0]
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

export const notFound = (what = 'download') => new AppError('not_found', `No such ${what}`)

export const invalidState = (message: string) => new AppError('invalid_state', message)

/**
 * SQLite's ways of saying "not now" (locked past busy_timeout, disk full, read-only, I/O error, the
 * file gone): the request was fine and may work in a moment, so it is a 503, not a bug's 500.
 * Extended codes count too (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, SQLITE_BUSY_SNAPSHOT).
 */
const STORAGE_FAULTS = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)(_[A-Z_]+)?$/

export function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  // VDS_WRITER_UNAVAILABLE: the writer thread (db/writer.ts) is gone or restarting; same meaning.
  return typeof code === 'string' && (STORAGE_FAULTS.test(code) || code === 'VDS_WRITER_UNAVAILABLE')
}

/** 503 storage_unavailable with Retry-After: what every route answers when the database refuses. */
export const storageUnavailable = (message?: string) => new AppError('storage_unavailable', message, { 'retry-after': '5' })

/** Fastify's own errors (validation, body parsing, size) and storage faults mapped onto our codes. */
export function coerceError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown }
  if (e.validation) return new AppError('validation_error', e.message)
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_content_length')
  }
  if (err instanceof SyntaxError) return new AppError('invalid_json')
  if (isStorageFault(err)) return storageUnavailable()
  const status = e.statusCode
  if (status !== undefined && status >= 400 && status < 500) return otherClientError(status, e.message)
  return new AppError('internal_error')
}

/**
 * A 4xx that Fastify or a plugin raised and this catalogue has no code for (a 412 from the file
 * sender's preconditions): the client's mistake keeps its status, under the code bad_request.
 */
function otherClientError(status: number, message: string | undefined): AppError {
  const error = new AppError('bad_request', message)
  Object.defineProperty(error, 'statusCode', { value: status })
  return error
}
