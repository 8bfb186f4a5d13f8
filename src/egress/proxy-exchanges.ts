// What the egress proxy does once a destination passed its check: a CONNECT tunnel (bytes both
// ways, TLS stays end to end between the downloader and the site) or one plain http request sent
// on and its answer streamed back. Either way the connection goes to an address the check
// returned, idles out, and gives its slot back (release) exactly once when it ends.
import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { ConnectFailure, connectChecked } from './connect-checked.js'
import type { ResolvedAddress } from './destination-check.js'
import type { EgressLimits } from './egress-limits.js'

/** An admitted request: where it may go, and how to answer or end it. */
export interface ProxyExchange {
  addresses: ResolvedAddress[]
  limits: EgressLimits
  /** an error answer to the downloader (status line + reason; the connection then closes) */
  answer: (status: number, reason: string, headers?: Record<string, string>) => void
  /** gives the connection slot back; idempotent */
  release: () => void
}

/** Headers that describe one hop (RFC 9110 §7.6.1) plus the proxy's own: never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

export async function openTunnel(exchange: ProxyExchange, client: Socket, head: Buffer, port: number): Promise<void> {
  const upstream = await connectUpstream(exchange, port)
  if (upstream === undefined || client.destroyed) {
    upstream?.destroy()
    return exchange.release()
  }
  const end = () => {
    client.destroy()
    upstream.destroy()
    exchange.release()
  }
  for (const socket of [client, upstream]) {
    socket.setTimeout(exchange.limits.idleTimeoutMs, end)
    socket.on('error', end)
    socket.on('close', end)
  }
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
  if (head.length > 0) upstream.write(head)
  client.pipe(upstream)
  upstream.pipe(client)
}

export async function forwardHttp(exchange: ProxyExchange, req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
  const port = target.port === '' ? 80 : Number(target.port)
  const upstream = await connectUpstream(exchange, port)
  if (upstream === undefined || res.destroyed) {
    upstream?.destroy()
    return exchange.release()
  }
  const end = () => {
    upstream.destroy()
    exchange.release()
  }
  upstream.setTimeout(exchange.limits.idleTimeoutMs, () => {
    upstream.destroy()
    res.destroy()
  })
  res.on('close', end)
  const outgoing = request({
    createConnection: () => upstream, // the checked address: no lookup, no agent pool shared between attempts
    method: req.method,
    path: `${target.pathname}${target.search}`,
    headers: { ...passedOn(req.headers), host: target.host, connection: 'close' },
  })
  outgoing.on('response', (answer) => {
    const headers = passedOn(answer.headers)
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers)
    answer.pipe(res)
    answer.on('error', () => res.destroy())
  })
  outgoing.on('error', () => {
    if (!res.headersSent) exchange.answer(502, 'Bad Gateway (the site closed the connection)')
    else res.destroy()
    end()
  })
  req.pipe(outgoing)
}

/** Connects, or answers the downloader why not (504 for a timeout, 502 otherwise). */
async function connectUpstream(exchange: ProxyExchange, port: number): Promise<Socket | undefined> {
  try {
    return await connectChecked(exchange.addresses, port, exchange.limits.connectTimeoutMs)
  } catch (err) {
    const failure = err instanceof ConnectFailure ? err : new ConnectFailure(false, 'cannot connect')
    if (failure.timedOut) exchange.answer(504, `Gateway Timeout (${failure.message})`)
    else exchange.answer(502, `Bad Gateway (${failure.message})`)
    return undefined
  }
}

function passedOn(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  // Headers the Connection header names are hop-by-hop too.
  const named = String(headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim())
  const kept: OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue
    kept[name] = value
  }
  return kept
}
