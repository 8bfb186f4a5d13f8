// `vds keys add|list|revoke`: one API key per device, so a lost phone costs one revocation, not a
// new key on every device. Only SHA-256 hashes are stored, in the database the server uses; a
// running server sees additions and revocations on its next request (see createKeyVerifier).
import { configuredKeys, createStoredApiKey } from '../keys/key-verifier.js'
import { NAME as KEY_NAME } from '../core/names.js'
import { loadConfig, resolvePaths, type Config } from '../core/config.js'
import { createApiKeysRepository, type ApiKeysRepository } from '../db/api-keys-repository.js'
import { openDatabase } from '../db/open.js'
import { KeyScope } from '../core/types.js'
import { ExitCode, flag, stringOption, type CommandInput } from './command-input.js'

/** Where the command writes: the report and the errors. */
export interface KeysOutput {
  out(text: string): void
  err(text: string): void
}

const processOutput: KeysOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

const USAGE = `Usage:
  vds keys add NAME [--scope submit|admin]   make a key for one device (default scope: submit)
  vds keys list [--json]                     names, scopes, dates; never the keys
  vds keys revoke NAME                       the key stops working at once, also on a running server
`

interface KeysContext {
  config: Config
  repo: ApiKeysRepository
  input: CommandInput
  output: KeysOutput
}

type Subcommand = (context: KeysContext) => number | Promise<number>

const SUBCOMMANDS: Record<string, Subcommand> = { add: addKey, list: listKeys, revoke: revokeKey }

/** The `vds keys` entry point for src/cli.ts; returns the exit code. */
export async function keysCommand(input: CommandInput, output: KeysOutput = processOutput): Promise<number> {
  const [name, ...rest] = input.positionals
  const subcommand = name === undefined ? undefined : SUBCOMMANDS[name]
  if (!subcommand) {
    output.err(`${name === undefined ? 'Missing' : `Unknown`} keys command${name ? ` "${name}"` : ''}\n\n${USAGE}`)
    return ExitCode.usage
  }
  const config = loadConfig({ file: input.configFile })
  const db = openDatabase(resolvePaths(config).dataDir)
  try {
    // Another process than the server: its writes commit on this connection (an in-process writer).
    return await subcommand({ config, repo: createApiKeysRepository(db), input: { ...input, positionals: rest }, output })
  } finally {
    // A plain close: a running server owns the WAL and checkpoints it.
    db.close()
  }
}

/** The NAME argument, or an explanation of what is wrong with it. */
function keyNameArgument({ input, output }: KeysContext): string | undefined {
  const [name, ...extra] = input.positionals
  if (name === undefined || extra.length > 0) {
    output.err(`Give exactly one key name, e.g. "iphone-anna"\n\n${USAGE}`)
    return undefined
  }
  if (!KEY_NAME.test(name)) {
    output.err(`Invalid key name "${name}": use 1-128 of A-Z a-z 0-9 . _ : @ - (it becomes the default client_id)\n`)
    return undefined
  }
  return name
}

async function addKey(context: KeysContext): Promise<number> {
  const { config, repo, input, output } = context
  const name = keyNameArgument(context)
  if (name === undefined) return ExitCode.usage
  const scope = stringOption(input, 'scope') ?? KeyScope.submit
  if (scope !== KeyScope.submit && scope !== KeyScope.admin) {
    output.err(`Invalid --scope "${scope}": use submit (submit and read) or admin (also cancel, retry, delete, metrics)\n`)
    return ExitCode.usage
  }
  if (configuredKeys(config.security).some((key) => key.principal.name === name)) {
    output.err(`The name "${name}" is already used by a key in security.api_keys of the config file; choose another\n`)
    return ExitCode.failure
  }
  const key = await createStoredApiKey(repo, name, scope)
  if (key === undefined) {
    const existing = repo.findByName(name)
    const state = existing?.revoked_at ? `revoked on ${existing.revoked_at}` : 'in use'
    output.err(`A key named "${name}" already exists (${state}); names stay unique so logs and history stay clear. Choose another name.\n`)
    return ExitCode.failure
  }
  output.out(
    `Created key "${name}" (scope ${scope}). It is shown only this once (only its hash is stored);\n` +
      `send it in the X-API-Key header:\n\n  ${key}\n\n`,
  )
  if (!config.security.require_api_key) {
    output.err('Note: security.require_api_key is false, so the server does not check keys until you turn it on.\n')
  }
  return ExitCode.ok
}

function listKeys({ config, repo, input, output }: KeysContext): number {
  const rows = [
    ...configuredKeys(config.security).map((key) => ({
      name: key.principal.name,
      scope: key.principal.scope,
      source: 'config',
      created_at: null,
      revoked_at: null,
    })),
    ...repo.list().map((row) => ({
      name: row.name,
      scope: row.scope,
      source: 'database',
      created_at: row.created_at,
      revoked_at: row.revoked_at,
    })),
  ]
  if (flag(input, 'json')) {
    output.out(`${JSON.stringify(rows, null, 2)}\n`)
    return ExitCode.ok
  }
  if (rows.length === 0) {
    output.out('No API keys. Make one with: vds keys add NAME\n')
    return ExitCode.ok
  }
  const table = [
    ['NAME', 'SCOPE', 'CREATED', 'REVOKED'],
    ...rows.map((row) => [row.name, row.scope, row.created_at ?? '(config file)', row.revoked_at ?? '-']),
  ]
  output.out(formatTable(table))
  return ExitCode.ok
}

async function revokeKey(context: KeysContext): Promise<number> {
  const { config, repo, output } = context
  const name = keyNameArgument(context)
  if (name === undefined) return ExitCode.usage
  if (await repo.revoke(name)) {
    output.out(`Revoked key "${name}"; requests with it are refused from now on.\n`)
    return ExitCode.ok
  }
  const existing = repo.findByName(name)
  if (existing?.revoked_at) {
    output.out(`Key "${name}" was already revoked on ${existing.revoked_at}.\n`)
    return ExitCode.ok
  }
  const inConfig = configuredKeys(config.security).some((key) => key.principal.name === name)
  output.err(
    inConfig
      ? `Key "${name}" comes from security.api_keys in the config file: remove it there and restart the server\n`
      : `No key named "${name}"; \`vds keys list\` shows the names\n`,
  )
  return ExitCode.failure
}

/** Left-aligned columns separated by two spaces. */
function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n'
}
