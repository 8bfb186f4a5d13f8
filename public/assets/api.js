// Calls to the server's JSON API with the key in a header; errors carry the API's code and message.

/** An answer that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

const NETWORK_ERROR_MESSAGE = 'Cannot reach the server; check the connection and try again'

/** Throws an ApiError built from the error body of SPEC §2, or from the status alone. */
async function failure(response) {
  const body = await response.json().catch(() => null)
  const error = body && typeof body === 'object' ? body.error : null
  throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `The server answered ${response.status}`)
}

/** The API, authenticated with whatever getKey() returns at the time of each call. */
export function createApi(getKey) {
  async function call(method, path, { body, as = 'json' } = {}) {
    const headers = { 'X-API-Key': getKey() ?? '' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let response
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
    } catch {
      throw new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
    }
    if (!response.ok) await failure(response)
    return as === 'blob' ? response.blob() : response.json()
  }

  const one = (id) => `/api/v1/downloads/${encodeURIComponent(id)}`

  return {
    submit: (url) => call('POST', '/api/v1/download', { body: { url } }),
    status: (id) => call('GET', `/api/v1/status/${encodeURIComponent(id)}`),
    history({ limit, offset, status, q }) {
      const query = new URLSearchParams({ limit: String(limit), offset: String(offset) })
      if (status) query.set('status', status)
      if (q) query.set('q', q)
      return call('GET', `/api/v1/history?${query}`)
    },
    retry: (id) => call('POST', `${one(id)}/retry`),
    cancel: (id) => call('POST', `${one(id)}/cancel`),
    remove: (id, deleteFile) => call('DELETE', `${one(id)}?delete_file=${deleteFile ? 'true' : 'false'}`),
    // The file route needs the key header, which a <video src> cannot send, so the file comes as a blob.
    file: (id) => call('GET', `${one(id)}/file`, { as: 'blob' }),
  }
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
