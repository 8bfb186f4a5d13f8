// Calls to the server's JSON API. The page never holds the key: it presents it once to
// POST /api/v1/session, and from then on the browser sends the HttpOnly session cookie with every
// same-origin request (fetch, EventSource, <video>, <img>), which no script on the page can read.
// Errors carry the API's code and message; a 401 anywhere also tells onUnauthorized, so whichever
// panel meets an ended session, the sign-in form comes back.

/** An answer that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

const NETWORK_ERROR_MESSAGE = 'Cannot reach the server; check the connection and try again'

let unauthorizedHandler = () => {}

/** fn(error) runs on every 401 except a refused sign-in (that one is the form's own answer). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn
}

/** Throws an ApiError built from the error body of SPEC §2, or from the status alone. */
async function failure(response) {
  const body = await response.json().catch(() => null)
  const error = body && typeof body === 'object' ? body.error : null
  throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `The server answered ${response.status}`)
}

/**
 * One API call. `json` is sent as a JSON body, `text` as text/plain (cookies.txt); the answer is
 * parsed JSON, or null for 204.
 */
export async function apiRequest(method, path, { json, text, signIn = false } = {}) {
  const headers = { Accept: 'application/json' }
  let body
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(json)
  } else if (text !== undefined) {
    headers['Content-Type'] = 'text/plain'
    body = text
  }
  let response
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      cache: 'no-store',
      credentials: 'same-origin',
      // The server refuses a cookie-authenticated change without its own Origin. Under the page's
      // no-referrer policy a browser sends `Origin: null` even to its own origin, so these requests
      // use same-origin (which still sends nothing to other sites).
      referrerPolicy: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
  }
  if (!response.ok) {
    try {
      await failure(response)
    } catch (error) {
      if (error.status === 401 && !signIn) unauthorizedHandler(error)
      throw error
    }
  }
  return response.status === 204 ? null : response.json()
}

const one = (id) => `/api/v1/downloads/${encodeURIComponent(id)}`

/** The routes the web UI uses. Files are not fetched here: <video>/<img> open their signed file_url. */
export const api = {
  /** POST /api/v1/session: the browser keeps the cookie; resolves with {name, scope, expires_at}. */
  signIn: (key) => apiRequest('POST', '/api/v1/session', { json: { key }, signIn: true }),
  /** GET /api/v1/session: who this browser is signed in as; a 401 means not signed in. */
  whoAmI: () => apiRequest('GET', '/api/v1/session', { signIn: true }),
  signOut: () => apiRequest('DELETE', '/api/v1/session'),
  submit: (url) => apiRequest('POST', '/api/v1/download', { json: { url } }),
  status: (id) => apiRequest('GET', `/api/v1/status/${encodeURIComponent(id)}`),
  history({ limit, offset, status, q }) {
    const query = new URLSearchParams({ limit: String(limit), offset: String(offset) })
    if (status) query.set('status', status)
    if (q) query.set('q', q)
    return apiRequest('GET', `/api/v1/history?${query}`)
  },
  retry: (id) => apiRequest('POST', `${one(id)}/retry`),
  cancel: (id) => apiRequest('POST', `${one(id)}/cancel`),
  remove: (id, deleteFile) => apiRequest('DELETE', `${one(id)}?delete_file=${deleteFile ? 'true' : 'false'}`),
}

/** GET /api/v1/health needs no key; 503 (unhealthy) still carries the report. */
export async function fetchHealth() {
  try {
    const response = await fetch('/api/v1/health', { cache: 'no-store' })
    return await response.json()
  } catch {
    return null
  }
}
