// Loopback receivers for notification tests: plain HTTP (webhooks, ntfy) and HTTPS with a
// self-signed certificate for 127.0.0.1 (Web Push endpoints are https), recording every request.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Agent, fetch as undiciFetch } from 'undici'

export interface ReceivedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  at: number
}

export interface Receiver {
  url: string
  requests: ReceivedRequest[]
  /** status for each request (default 200); 0 holds the request unanswered until close() */
  respond: (request: ReceivedRequest) => number
  /** resolves once `count` requests have arrived */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>
  close(): Promise<void>
}

export interface TestCertificate {
  key: string
  cert: string
}

/** A self-signed P-256 certificate for 127.0.0.1, made by openssl. */
export function makeLoopbackCertificate(): TestCertificate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-receiver-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' })
    return { key: readFileSync(path.join(dir, 'k.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'c.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A fetch that trusts `ca` (the way a real push service's certificate is trusted). */
export function fetchTrusting(ca: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca } })
  return ((input: string, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch
}

export async function startReceiver(tls?: TestCertificate): Promise<Receiver> {
  const requests: ReceivedRequest[] = []
  const waiters: Array<() => void> = []
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: performance.now() }
      requests.push(request)
      const status = receiver.respond(request)
      if (status !== 0) res.writeHead(status).end()
      for (const wake of waiters.splice(0)) wake()
    })
  }
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const receiver: Receiver = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    respond: () => 200,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} requests at ${receiver.url}, got ${requests.length}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
      return requests.slice(0, count)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return receiver
}
