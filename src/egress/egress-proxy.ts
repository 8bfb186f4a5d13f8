// The loopback forward proxy every downloader goes through (SPEC §5: downloaders reach only public
// addresses). yt-dlp and gallery-dl get `--proxy http://vds:<token>@127.0.0.1:<port>`; each attempt
// has its own token, so a refusal is recorded for the attempt that caused it and its job can fail
// with the reason. HTTPS arrives as CONNECT, plain http as absolute-URI requests; both are checked
// by destination-check.ts and connected to the exact address checked. Nothing else may use it:
// it listens on loopback only, and a request without a live attempt's token gets 407.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { checkDestination, type DestinationPolicy, type Refusal, type ResolveHost } from './destination-check.js'
import { DEFAULT_EGRESS_LIMITS, type EgressLimits } from './egress-limits.js'
import { forwardHttp, openTunnel, type ProxyExchange } from './proxy-exchanges.js'

export { DEFAULT_EGRESS_LIMITS, type EgressLimits } from './egress-limits.js'

/** One attempt's way through the proxy. */
export interface EgressLease {
  /** for --proxy: `http://vds:<token>@127.0.0.1:<port>` */
  url: string
  /** connections the proxy refused for this attempt, first first (at most MAX_REFUSALS_KEPT) */
  refusals(): readonly Refusal[]
  /** the token stops working; call when the attempt ends */
  close(): void
}

export interface EgressStatus {
  running: boolean
  /** why it is not running, when start failed */
  error: string | null
  /** tunnels and forwarded requests open now */
  active: number
}

export interface EgressProxyOptions {
  /** downloads.allowed_domains */
  allowedDomains: readonly string[]
  /** DNS (tests inject one); default dns.lookup with all addresses */
  resolve?: ResolveHost
  limits?: Partial<EgressLimits>
  /** told about every refusal, with the attempt's label (e.g. its download id) */
  onRefused?: (label: string, refusal: Refusal) => void
}

export interface EgressProxy {
  /** listens on 127.0.0.1 and an ephemeral port; safe to call again (after a failure it retries) */
  start(): Promise<void>
  /** closes the listener and every open tunnel */
  stop(): Promise<void>
  /** a token for one attempt; starts the proxy when needed, rejects when it cannot run */
  openAttempt(label: string): Promise<EgressLease>
  status(): EgressStatus
}

const MAX_REFUSALS_KEPT = 20
const USER = 'vds'

interface AttemptEntry {
  label: string
  refusals: Refusal[]
}

export function createEgressProxy(options: EgressProxyOptions): EgressProxy {
  const limits = { ...DEFAULT_EGRESS_LIMITS, ...options.limits }
  const policy: DestinationPolicy = { allowedDomains: options.allowedDomains, resolveTimeoutMs: limits.resolveTimeoutMs, ...(options.resolve ? { resolve: options.resolve } : {}) }
  const attempts = new Map<string, AttemptEntry>()
  const sockets = new Set<Socket>()
  let active = 0
  let server: Server | undefined
  let port: number | undefined
  let starting: Promise<void> | undefined
  let startError: string | null = null

  const authorize = (req: IncomingMessage): AttemptEntry | undefined => {
    const header = req.headers['proxy-authorization']
    const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
    if (match === null) return undefined
    const [user, token] = splitOnce(Buffer.from(match[1]!, 'base64').toString('utf8'), ':')
    return user === USER && token !== undefined ? attempts.get(token) : undefined
  }

  const refuse = (entry: AttemptEntry, refusal: Refusal) => {
    if (entry.refusals.length < MAX_REFUSALS_KEPT) entry.refusals.push(refusal)
    options.onRefused?.(entry.label, refusal)
  }

  /** Shared by both kinds of request: auth, the bound, the check; then the exchange itself. */
  const admit = async (req: IncomingMessage, host: string, answer: ProxyExchange['answer']): Promise<ProxyExchange | undefined> => {
    const entry = authorize(req)
    if (entry === undefined) return void answer(407, 'Proxy Authentication Required', { 'Proxy-Authenticate': `Basic realm="${USER}"` })
    if (active >= limits.maxConnections) return void answer(503, 'Service Unavailable (too many connections through the proxy)')
    active += 1
    const release = once(() => (active -= 1))
    try {
      const verdict = await checkDestination(host, policy)
      if (verdict.ok) return { addresses: verdict.addresses, limits, answer, release }
      if ('refusal' in verdict) {
        refuse(entry, verdict.refusal)
        answer(403, `Forbidden (${describeRefusal(verdict.refusal)})`)
      } else {
        answer(502, `Bad Gateway (name resolution failed for ${host}: ${verdict.unresolved})`)
      }
    } catch {
      answer(502, 'Bad Gateway')
    }
    release()
    return undefined
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    req.on('error', () => res.destroy()) // a downloader that goes away mid-request
    const answer: ProxyExchange['answer'] = (status, reason, headers = {}) => {
      if (res.headersSent) return void res.destroy()
      reason = printable(reason)
      res.writeHead(status, reason, { 'Content-Type': 'text/plain', Connection: 'close', ...headers }).end(`${reason}\n`)
    }
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      return answer(400, 'Bad Request (a proxy request names an absolute http:// URL)')
    }
    if (target.protocol !== 'http:' || target.username !== '' || target.password !== '') return answer(400, 'Bad Request (only http:// URLs; https goes through CONNECT)')
    void admit(req, target.hostname, answer).then((exchange) => exchange && forwardHttp(exchange, req, res, target))
  }

  const onConnect = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // The http server stops watching a CONNECT's socket: a reset while the check runs must not throw.
    socket.on('error', () => socket.destroy())
    const answer: ProxyExchange['answer'] = (status, reason, headers = {}) => {
      reason = printable(reason)
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
      socket.end(`HTTP/1.1 ${status} ${reason}\r\n${lines}Connection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const target = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(req.url ?? '')
    const port = Number(target?.[2])
    if (target === null || port < 1 || port > 65_535) return answer(400, 'Bad Request (CONNECT host:port)')
    void admit(req, target[1]!, answer).then((exchange) => exchange && openTunnel(exchange, socket, head, port))
  }

  const start = async () => {
    if (server?.listening) return
    starting ??= listen().finally(() => (starting = undefined))
    return starting
  }

  const listen = async () => {
    const created = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.headersTimeoutMs * 3, keepAliveTimeout: 5_000 }, onRequest)
    created.on('connect', onConnect)
    created.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    // A client that breaks the protocol gets its socket closed; never an unhandled error.
    created.on('clientError', (_err, socket: Socket) => socket.destroy())
    try {
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject)
        created.listen(0, '127.0.0.1', () => {
          created.off('error', reject)
          resolve()
        })
      })
    } catch (err) {
      startError = `the downloaders' proxy could not listen on 127.0.0.1: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
      throw new Error(startError)
    }
    // Never what keeps the process alive: the server's own listener does that, and a test that
    // never stops it still exits. Open tunnels are ordinary sockets and do keep it busy.
    created.unref()
    server = created
    port = (created.address() as AddressInfo).port
    startError = null
  }

  return {
    start,
    async stop() {
      const closing = server
      server = undefined
      if (closing === undefined) return
      await new Promise<void>((resolve) => {
        closing.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
    },
    async openAttempt(label) {
      await start()
      const token = randomBytes(24).toString('base64url')
      const entry: AttemptEntry = { label, refusals: [] }
      attempts.set(token, entry)
      return {
        url: `http://${USER}:${token}@127.0.0.1:${port!}`,
        refusals: () => [...entry.refusals],
        close: () => void attempts.delete(token),
      }
    },
    status: () => ({ running: server?.listening === true, error: startError, active }),
  }
}

/** "127.0.0.2 is a loopback address", for the 403's reason and the job's message. */
export function describeRefusal(refusal: Refusal): string {
  if (refusal.address === null) return `${refusal.host} is not a host name the server fetches`
  const where = refusal.address === refusal.host ? refusal.address : `${refusal.host} (${refusal.address})`
  return `${where} is ${refusal.kind === 'not an IP' ? 'not an address' : `a ${refusal.kind} address`}`
}

/** A reason phrase is one line of visible ASCII, whatever host name a downloader sent. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator)
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)]
}

function once(action: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    action()
  }
}
