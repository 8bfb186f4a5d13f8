// The downloaders' loopback proxy over real sockets: what it refuses (and that nothing was
// connected when it did), what an allowed_domains entry opens, who may use it, and its bounds.
// 127.0.0.2 stands for "an internal service": on Linux all of 127/8 answers on loopback.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer as createHttpServer } from 'node:http'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { after, before, describe, test, type TestContext } from 'node:test'
import { createEgressProxy, type EgressLease, type EgressLimits, type EgressProxy } from '../../src/egress/egress-proxy.js'
import type { ResolveHost } from '../../src/egress/destination-check.js'

/** An "internal" TCP service on 127.0.0.2 that counts connections and echoes what it gets. */
interface Internal {
  port: number
  connections: number
  server: Server
}

let internal: Internal
before(async () => {
  const server = createServer((socket) => {
    internal.connections += 1
    socket.on('error', () => socket.destroy())
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve))
  internal = { port: (server.address() as AddressInfo).port, connections: 0, server }
})
after(() => new Promise<void>((resolve) => internal.server.close(() => resolve())))

async function startProxy(t: TestContext, allowedDomains: string[], extra: { resolve?: ResolveHost; limits?: Partial<EgressLimits> } = {}): Promise<{ proxy: EgressProxy; lease: EgressLease; port: number }> {
  const proxy = createEgressProxy({ allowedDomains, ...extra })
  t.after(() => proxy.stop())
  const lease = await proxy.openAttempt('job-1')
  const url = new URL(lease.url)
  assert.equal(url.hostname, '127.0.0.1', 'listens on loopback only')
  return { proxy, lease, port: Number(url.port) }
}

function authOf(lease: EgressLease): string {
  const url = new URL(lease.url)
  return `Basic ${Buffer.from(`${url.username}:${url.password}`).toString('base64')}`
}

/** Sends CONNECT and resolves with the status code and the socket (open on 200). */
function sendConnect(port: number, target: string, auth: string | null): Promise<{ status: number; reason: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let head = ''
    socket.setEncoding('latin1')
    socket.on('error', reject)
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`)
    const onData = (chunk: string) => {
      head += chunk
      const end = head.indexOf('\r\n\r\n')
      if (end === -1) return
      socket.off('data', onData)
      const [, status = '0', reason = ''] = /^HTTP\/1\.1 (\d{3}) ?(.*)$/m.exec(head) ?? []
      resolve({ status: Number(status), reason, socket })
    }
    socket.on('data', onData)
  })
}

/** A round trip through an open tunnel to the echo service. */
function echo(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(String(chunk)))
    socket.write(text)
  })
}

/** A plain http request through the proxy (absolute URI); resolves with status, reason and body. */
function sendHttp(port: number, url: string, auth: string | null): Promise<{ status: number; reason: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('latin1')
    socket.on('error', reject)
    socket.write(`GET ${url} HTTP/1.1\r\nHost: ${URL.canParse(url) ? new URL(url).host : 'x'}\r\nConnection: close\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`)
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('end', () => {
      const [, status = '0', reason = ''] = /^HTTP\/1\.1 (\d{3}) ?(.*)$/m.exec(text) ?? []
      resolve({ status: Number(status), reason: reason.trim(), body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
  })
}

describe('CONNECT (https)', () => {
  test('a loopback address is refused with 403, recorded for the attempt, and nothing is connected', async (t) => {
    const { lease, port } = await startProxy(t, ['127.0.0.1', 'tiktok.com'])
    const before = internal.connections
    const { status, reason, socket } = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    socket.destroy()
    assert.equal(status, 403)
    assert.match(reason, /127\.0\.0\.2 is a loopback address/)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(internal.connections, before, 'the internal service saw no connection')
    assert.deepEqual(lease.refusals(), [{ host: '127.0.0.2', address: '127.0.0.2', kind: 'loopback' }])
  })

  test('every non-public kind is refused, IPv4 inside IPv6 included', async (t) => {
    const { lease, port } = await startProxy(t, ['*'])
    const targets = ['10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '0.0.0.0', '255.255.255.255', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:127.0.0.2]', '[64:ff9b::a00:1]']
    for (const target of targets) {
      const { status, socket } = await sendConnect(port, `${target}:443`, authOf(lease))
      socket.destroy()
      assert.equal(status, 403, target)
    }
    assert.deepEqual(lease.refusals().map((r) => r.kind), ['private', 'private', 'private', 'link-local', 'CGNAT', 'multicast', 'unspecified', 'reserved', 'loopback', 'private', 'link-local', 'loopback', 'private'])
  })

  test('an allowed_domains entry for the address opens it: the tunnel carries bytes both ways', async (t) => {
    const { lease, port } = await startProxy(t, ['127.0.0.2'])
    const { status, socket } = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    t.after(() => socket.destroy())
    assert.equal(status, 200)
    assert.equal(await echo(socket, 'ping'), 'ping')
    assert.deepEqual(lease.refusals(), [])
  })

  test('a name is resolved once, by the proxy, and the tunnel goes to the address it checked', async (t) => {
    const asked: string[] = []
    // Counts its calls: a second lookup (at connect time) could answer differently (DNS rebinding).
    const resolve: ResolveHost = async (host) => {
      asked.push(host)
      return [{ address: '127.0.0.2', family: 4 }]
    }
    const { lease, port } = await startProxy(t, ['media.example'], { resolve })
    const before = internal.connections
    const { status, socket } = await sendConnect(port, `Media.Example.:${internal.port}`, authOf(lease))
    t.after(() => socket.destroy())
    assert.equal(status, 200, 'a listed host opens what it resolves to')
    assert.equal(await echo(socket, 'x'), 'x')
    assert.deepEqual(asked, ['media.example'])
    assert.equal(internal.connections, before + 1)
  })

  test('a name that resolves to loopback is refused: localhost through the real resolver', async (t) => {
    const { lease, port } = await startProxy(t, ['*'])
    const before = internal.connections
    const { status, socket } = await sendConnect(port, `localhost:${internal.port}`, authOf(lease))
    socket.destroy()
    assert.equal(status, 403)
    assert.equal(internal.connections, before)
    const [refusal] = lease.refusals()
    assert.equal(refusal?.host, 'localhost')
    assert.equal(refusal?.kind, 'loopback')
  })

  test('a name with one public and one private address is refused (all, not any)', async (t) => {
    const resolve: ResolveHost = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ]
    const { lease, port } = await startProxy(t, ['*'], { resolve })
    const { status, socket } = await sendConnect(port, 'mixed.example:443', authOf(lease))
    socket.destroy()
    assert.equal(status, 403)
    assert.deepEqual(lease.refusals(), [{ host: 'mixed.example', address: '127.0.0.2', kind: 'loopback' }])
  })
})

describe('who may use it', () => {
  test('no token, a wrong token, another user or an ended attempt get 407 and nothing is connected', async (t) => {
    const { proxy, lease, port } = await startProxy(t, ['127.0.0.2'])
    const before = internal.connections
    const target = `127.0.0.2:${internal.port}`
    const wrong = `Basic ${Buffer.from('vds:not-the-token').toString('base64')}`
    const otherUser = `Basic ${Buffer.from(`x:${new URL(lease.url).password}`).toString('base64')}`
    for (const auth of [null, wrong, otherUser, 'Bearer abc']) {
      const { status, socket } = await sendConnect(port, target, auth)
      socket.destroy()
      assert.equal(status, 407, String(auth))
    }
    const plain = await sendHttp(port, `http://${target}/`, null)
    assert.equal(plain.status, 407)
    const second = await proxy.openAttempt('job-2')
    lease.close()
    const ended = await sendConnect(port, target, authOf(lease))
    ended.socket.destroy()
    assert.equal(ended.status, 407, 'a closed lease stops working')
    const other = await sendConnect(port, target, authOf(second))
    other.socket.destroy()
    assert.equal(other.status, 200, 'other attempts keep theirs')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(internal.connections, before + 1)
  })
})

describe('plain http (absolute-URI requests)', () => {
  let site: ReturnType<typeof createHttpServer>
  let sitePort = 0
  let hits: { url: string; proxyAuth: string | undefined; host: string | undefined }[] = []
  before(async () => {
    site = createHttpServer((req, res) => {
      hits.push({ url: req.url ?? '', proxyAuth: req.headers['proxy-authorization'], host: req.headers.host })
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('internal secret')
    })
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.2', resolve))
    sitePort = (site.address() as AddressInfo).port
  })
  after(() => new Promise<void>((resolve) => site.close(() => resolve())))

  test('a request to a refused address gets 403 and the site sees nothing', async (t) => {
    hits = []
    const { lease, port } = await startProxy(t, ['127.0.0.1'])
    const answer = await sendHttp(port, `http://127.0.0.2:${sitePort}/secret`, authOf(lease))
    assert.equal(answer.status, 403)
    assert.doesNotMatch(answer.body, /secret/)
    assert.deepEqual(hits, [])
    assert.equal(lease.refusals()[0]?.address, '127.0.0.2')
  })

  test('an allowed address is fetched in origin form, without the proxy credentials', async (t) => {
    hits = []
    const { lease, port } = await startProxy(t, ['127.0.0.2'])
    const answer = await sendHttp(port, `http://127.0.0.2:${sitePort}/a?b=1`, authOf(lease))
    assert.equal(answer.status, 200)
    assert.match(answer.body, /internal secret/)
    assert.deepEqual(hits, [{ url: '/a?b=1', proxyAuth: undefined, host: `127.0.0.2:${sitePort}` }])
  })

  test('https:// URLs and origin-form requests are not forwarded', async (t) => {
    const { lease, port } = await startProxy(t, ['*'])
    assert.equal((await sendHttp(port, 'https://example.com/', authOf(lease))).status, 400)
    assert.equal((await sendHttp(port, '/relative', authOf(lease))).status, 400)
  })
})

describe('bounds', () => {
  test('an idle tunnel is closed after idleTimeoutMs', async (t) => {
    const { lease, port, proxy } = await startProxy(t, ['127.0.0.2'], { limits: { idleTimeoutMs: 300 } })
    const { status, socket } = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    assert.equal(status, 200)
    const started = Date.now()
    await new Promise((resolve) => socket.on('close', resolve))
    const elapsed = Date.now() - started
    assert.ok(elapsed >= 250 && elapsed < 3_000, `closed after ${elapsed} ms`)
    assert.equal(proxy.status().active, 0, 'its slot is given back')
  })

  test('past maxConnections a CONNECT gets 503; a slot freed is usable again', async (t) => {
    const { lease, port } = await startProxy(t, ['127.0.0.2'], { limits: { maxConnections: 1 } })
    const first = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    assert.equal(first.status, 200)
    const second = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    second.socket.destroy()
    assert.equal(second.status, 503)
    first.socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const third = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    third.socket.destroy()
    assert.equal(third.status, 200)
  })

  test('a resolver that never answers costs resolveTimeoutMs, then 502', async (t) => {
    const resolve: ResolveHost = () => new Promise(() => {})
    const { lease, port } = await startProxy(t, ['*'], { resolve, limits: { resolveTimeoutMs: 200 } })
    const started = Date.now()
    const { status, reason, socket } = await sendConnect(port, 'slow.example:443', authOf(lease))
    socket.destroy()
    assert.equal(status, 502)
    assert.match(reason, /name resolution failed/)
    assert.ok(Date.now() - started < 2_000)
  })

  test('a connection that is never accepted ends within the connect timeout (504)', async (t) => {
    // A listener that never accepts, its one-place backlog filled: Linux then drops further SYNs,
    // as a firewalled host would.
    const listener = spawn('python3', ['-c', "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.2',0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)"], { stdio: ['ignore', 'pipe', 'inherit'] })
    t.after(() => listener.kill('SIGKILL'))
    const silentPort = Number(await new Promise<string>((resolve) => listener.stdout.once('data', (data) => resolve(String(data).trim()))))
    const filler = connect(silentPort, '127.0.0.2')
    t.after(() => filler.destroy())
    await new Promise((resolve) => filler.once('connect', resolve))
    const { lease, port } = await startProxy(t, ['127.0.0.2'], { limits: { connectTimeoutMs: 300 } })
    const started = Date.now()
    const { status, reason, socket } = await sendConnect(port, `127.0.0.2:${silentPort}`, authOf(lease))
    socket.destroy()
    const elapsed = Date.now() - started
    assert.equal(status, 504, reason)
    assert.ok(elapsed >= 250 && elapsed < 2_000, `answered after ${elapsed} ms`)
  })

  test('stop() closes open tunnels and the listener', async (t) => {
    const { lease, port, proxy } = await startProxy(t, ['127.0.0.2'])
    const { status, socket } = await sendConnect(port, `127.0.0.2:${internal.port}`, authOf(lease))
    assert.equal(status, 200)
    const closed = new Promise((resolve) => socket.on('close', resolve))
    await proxy.stop()
    await closed
    assert.equal(proxy.status().running, false)
    await assert.rejects(new Promise((resolve, reject) => connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)))
  })
})
