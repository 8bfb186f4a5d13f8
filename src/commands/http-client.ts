// A small JSON client over node:http/node:https. The global fetch cannot be given a CA without
// undici's Agent (a dev dependency only), and `vds submit` must trust the local CA.
import http from 'node:http'
import https from 'node:https'
import { rootCertificates } from 'node:tls'

/** Options of {@link requestJson}. */
export interface JsonRequest {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** sent as JSON */
  body?: unknown
  /** extra PEM certificates to trust besides the system's roots (e.g. the local CA) */
  extraCa?: string[]
  /** skip certificate verification (`--insecure`) */
  insecure?: boolean
  timeoutMs?: number
}

/** The answer: its status code and its body parsed as JSON (the raw text when it is not JSON). */
export interface JsonResponse {
  status: number
  body: unknown
}

const DEFAULT_TIMEOUT_MS = 30_000

/** Sends one request and reads the whole answer. Rejects on network, TLS or timeout errors. */
export function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const url = new URL(request.url)
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body)
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = String(Buffer.byteLength(payload))
  }
  const options: https.RequestOptions = {
    method: request.method ?? (payload === undefined ? 'GET' : 'POST'),
    headers,
    timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // `ca` replaces the default roots, so the system's roots are passed along with the extra ones.
    ...(request.extraCa?.length ? { ca: [...rootCertificates, ...request.extraCa] } : {}),
    ...(request.insecure ? { rejectUnauthorized: false } : {}),
  }
  const transport = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${(options.timeout ?? 0) / 1000} s`)))
    req.on('error', reject)
    req.end(payload)
  })
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
