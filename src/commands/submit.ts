// `vds submit URL`: queue a link on a running server from the command line, the way the iOS
// Shortcut does. On this machine the local CA is trusted automatically.
import { readFileSync } from 'node:fs'
import { loadConfig, resolvePaths } from '../core/config.js'
import { localCaPaths } from '../tls/local-ca.js'
import { ExitCode, flag, stringOption, type CommandInput } from './command-input.js'
import { requestJson, type JsonResponse } from './http-client.js'
import { loopbackUrl } from './local-server.js'

/** Options of {@link runSubmit}. */
export interface SubmitOptions {
  url: string
  configFile?: string | undefined
  /** base URL of the server; default https://127.0.0.1:<server.port> */
  server?: string | undefined
  /** API key; default env VDS_API_KEY */
  key?: string | undefined
  clientId?: string | undefined
  /** skip certificate verification */
  insecure?: boolean
  env?: NodeJS.ProcessEnv
  out?: (text: string) => void
  err?: (text: string) => void
}

const USAGE = 'usage: vds submit URL [--server URL] [--key KEY] [--client-id ID] [--insecure]\n'

/** The `vds submit` entry point for src/cli.ts. */
export async function submitCommand(input: CommandInput): Promise<number> {
  const [url, ...extra] = input.positionals
  if (url === undefined || extra.length > 0) {
    process.stderr.write(USAGE)
    return ExitCode.usage
  }
  return runSubmit({
    url,
    configFile: input.configFile,
    server: stringOption(input, 'server'),
    key: stringOption(input, 'key'),
    clientId: stringOption(input, 'client-id'),
    insecure: flag(input, 'insecure'),
  })
}

/** POSTs the link to /api/v1/download; 0 when the server accepted it (2xx), 1 otherwise. */
export async function runSubmit(options: SubmitOptions): Promise<number> {
  const env = options.env ?? process.env
  const out = options.out ?? ((text: string) => void process.stdout.write(text))
  const err = options.err ?? ((text: string) => void process.stderr.write(text))
  const config = loadConfig({ file: options.configFile, env })
  const server = (options.server ?? loopbackUrl(config)).replace(/\/+$/, '')
  const key = options.key ?? env.VDS_API_KEY
  const localCa = readLocalCa(resolvePaths(config).dataDir)

  let response: JsonResponse
  try {
    response = await requestJson({
      url: `${server}/api/v1/download`,
      headers: key ? { 'x-api-key': key } : {},
      body: { url: options.url, ...(options.clientId ? { client_id: options.clientId } : {}) },
      extraCa: localCa ? [localCa] : [],
      insecure: options.insecure ?? false,
    })
  } catch (error) {
    err(`vds: cannot reach ${server}: ${(error as Error).message}\n${connectionHint(error)}\n`)
    return ExitCode.failure
  }
  return report(response, key !== undefined, out, err)
}

function report(response: JsonResponse, keyGiven: boolean, out: (text: string) => void, err: (text: string) => void): number {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as {
    download_id?: string
    status?: string
    duplicate?: boolean
    error?: { code?: string; message?: string }
  }
  if (response.status >= 200 && response.status < 300) {
    // "<id> <status>" on one line, so scripts can `cut -d' ' -f1`.
    out(`${body.download_id} ${body.status}${body.duplicate ? ' (duplicate of an earlier submission)' : ''}\n`)
    return ExitCode.ok
  }
  const code = body.error?.code ?? 'http_error'
  const message = body.error?.message ?? (typeof response.body === 'string' ? response.body.slice(0, 200) : '')
  err(`vds: ${response.status} ${code}: ${message}\n`)
  if (response.status === 401) {
    err(keyGiven ? 'The server does not know this key: check it, or make one with `vds keys add NAME`.\n' : 'Pass the API key with --key KEY or the VDS_API_KEY environment variable.\n')
  }
  return ExitCode.failure
}

/** The local CA certificate, when this machine has one: then the local server needs no --insecure. */
function readLocalCa(dataDir: string): string | null {
  try {
    return readFileSync(localCaPaths(dataDir).caCert, 'utf8')
  } catch {
    return null
  }
}

function connectionHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (code === 'ECONNREFUSED') return 'Is the server running? Start it with `npm start` (or `vds serve`), or point --server at it.'
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return 'The certificate is not trusted: use the name it was issued for in --server (see `vds doctor`), or pass --insecure.'
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test((error as Error).message)) {
    return 'The server may not speak HTTPS (tls.enabled: false): use --server http://HOST:PORT.'
  }
  return 'Check --server (scheme, host and port).'
}
