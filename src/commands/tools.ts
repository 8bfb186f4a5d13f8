// `vds tools status|update`: the downloaders, and "check for a new release now". Status reads the
// state the server keeps in <data_dir>/tools (works whether it runs or not). Update asks the running
// server (POST /api/v1/tools/update with --key / VDS_API_KEY), or, when none runs on this data
// folder, does the check itself while holding the server's lock.
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { loadConfig, resolvePaths, type Config } from '../core/config.js'
import { acquireInstanceLock } from '../process/instance-lock.js'
import { localCaPaths } from '../tls/local-ca.js'
import { createToolsManager, type ToolCheckResult, type ToolStatus } from '../tools/tools-manager.js'
import { ExitCode, flag, stringOption, type CommandInput } from './command-input.js'
import { requestJson } from './http-client.js'
import { loopbackUrl } from './local-server.js'

const USAGE = 'usage: vds tools status [--json] | vds tools update [--key KEY] [--server URL] [--insecure]\n'

export interface ToolsCommandIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
}

const defaultIo = (): ToolsCommandIo => ({
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
})

export async function toolsCommand(input: CommandInput, io: ToolsCommandIo = defaultIo()): Promise<number> {
  const [action, ...extra] = input.positionals
  if ((action !== 'status' && action !== 'update') || extra.length > 0) {
    io.err(USAGE)
    return ExitCode.usage
  }
  const config = loadConfig({ file: input.configFile, env: io.env })
  const manager = () => createToolsManager({ config, dataDir: resolvePaths(config).dataDir, log: pino({ level: 'silent' }) })
  if (action === 'status') {
    const statuses = await manager().statuses()
    io.out(flag(input, 'json') ? `${JSON.stringify({ tools: statuses }, null, 2)}\n` : statuses.map(describeStatus).join(''))
    return statuses.some((tool) => tool.name === 'yt-dlp' && !tool.available) ? ExitCode.failure : ExitCode.ok
  }
  let release: (() => void) | undefined
  try {
    release = acquireInstanceLock(resolvePaths(config).dataDir)
  } catch {
    return updateThroughServer(config, input, io) // a server runs on this data folder
  }
  try {
    const local = manager()
    const results = await local.checkNow()
    await local.stop()
    return reportResults(results, io)
  } finally {
    release()
  }
}

async function updateThroughServer(config: Config, input: CommandInput, io: ToolsCommandIo): Promise<number> {
  const server = (stringOption(input, 'server') ?? loopbackUrl(config)).replace(/\/+$/, '')
  const key = stringOption(input, 'key') ?? io.env.VDS_API_KEY
  let ca: string[] = []
  try {
    ca = [readFileSync(localCaPaths(resolvePaths(config).dataDir).caCert, 'utf8')]
  } catch {
    // the server uses its own certificate files
  }
  try {
    const response = await requestJson({
      url: `${server}/api/v1/tools/update`,
      method: 'POST',
      headers: key ? { 'x-api-key': key } : {},
      extraCa: ca,
      insecure: flag(input, 'insecure'),
      timeoutMs: 15 * 60_000,
    })
    const body = response.body as { results?: ToolCheckResult[]; error?: { code: string; message: string } }
    if (response.status !== 200 || !body.results) {
      io.err(`vds: ${response.status} ${body.error?.code ?? 'http_error'}: ${body.error?.message ?? ''}\n`)
      if (response.status === 401) io.err('The running server needs an admin key: pass --key KEY or set VDS_API_KEY.\n')
      return ExitCode.failure
    }
    return reportResults(body.results, io)
  } catch (error) {
    io.err(`vds: a server runs on this data folder but cannot be reached at ${server}: ${(error as Error).message}\n`)
    return ExitCode.failure
  }
}

function reportResults(results: ToolCheckResult[], io: ToolsCommandIo): number {
  for (const result of results) {
    const mark = result.updated ? 'updated' : result.ok ? 'ok' : 'FAILED'
    io.out(`${result.name}: ${mark} — ${result.message}\n`)
  }
  return results.every((result) => result.ok) ? ExitCode.ok : ExitCode.failure
}

function describeStatus(tool: ToolStatus): string {
  const version = tool.available ? `${tool.version ?? '(unknown version)'}${tool.age_days === null ? '' : `, ${tool.age_days} days old`}` : 'not found'
  const kind = tool.kind === 'managed' ? `managed${tool.release ? ` (release ${tool.release})` : ''}` : tool.kind === 'owner' ? "your own (ytdlp.path / gallery_dl.path)" : tool.managed ? 'installed one, until the managed copy is installed' : 'installed one'
  const lines = [`${tool.name}: ${version} — ${kind}`]
  if (tool.pinned) lines.push(`  pinned to ${tool.pinned} (tools.ytdlp_version)`)
  if (tool.managed) {
    lines.push(tool.last_check_at ? `  last check ${tool.last_check_at}: ${tool.last_check_ok ? 'ok' : `failed (${tool.failed_checks} in a row)`} — ${tool.last_check_message ?? ''}` : '  not checked yet')
  } else if (tool.last_check_message) {
    lines.push(`  ${tool.last_check_message}`)
  }
  return `${lines.join('\n')}\n`
}

export { USAGE as TOOLS_USAGE }
