// Doctor check of server.port: free, or already served by a running vds (which is fine).
import net from 'node:net'
import type { Config } from '../core/config.js'
import { check, CheckStatus, type CheckResult } from './doctor-check.js'
import { requestJson } from './http-client.js'
import { loopbackUrl } from './local-server.js'

const PROBE_TIMEOUT_MS = 3000

/** Tries to bind server.host:server.port; when taken, asks /api/v1/health whether it is us. */
export async function checkPort(config: Config): Promise<CheckResult> {
  const { host, port } = config.server
  if (port === 0) return check('port', CheckStatus.ok, 'server.port is 0: the server picks a free port at each start')
  const error = await tryListen(host, port)
  if (error === null) return check('port', CheckStatus.ok, `${host}:${port} is free`)
  if (error === 'EACCES') {
    return check('port', CheckStatus.warn, `${host}:${port} needs privileges to bind: use a port above 1023 (server.port)`)
  }
  if (error !== 'EADDRINUSE') return check('port', CheckStatus.warn, `${host}:${port} cannot be bound (${error}): check server.host`)
  const running = await runningVdsVersion(config)
  if (running !== null) return check('port', CheckStatus.ok, `${host}:${port} is served by a running vds ${running}`)
  return check('port', CheckStatus.warn, `${host}:${port} is used by another program: stop it or change server.port`)
}

/** null when the port could be bound (and was released again), otherwise the error code. */
function tryListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)))
  })
}

async function runningVdsVersion(config: Config): Promise<string | null> {
  try {
    // Verification is skipped: this only asks who is listening and sends no secret.
    const { body } = await requestJson({ url: `${loopbackUrl(config)}/api/v1/health`, insecure: true, timeoutMs: PROBE_TIMEOUT_MS })
    const version = (body as { version?: unknown } | null)?.version
    return typeof version === 'string' ? version : null
  } catch {
    return null
  }
}
