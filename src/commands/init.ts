// `vds init`: everything a first start needs, done once and visibly: a commented config file,
// the folders, the database, the first API key and the TLS certificates; then the next steps.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ensureFirstApiKey } from '../keys/key-verifier.js'
import { loadConfig, resolvePaths, type Config } from '../core/config.js'
import { createApiKeysRepository } from '../db/api-keys-repository.js'
import { closeDatabase, DATABASE_FILE, openDatabase, schemaVersion } from '../db/open.js'
import { describeCertificate } from '../tls/certificate-info.js'
import { localCaPaths } from '../tls/local-ca.js'
import { loadTlsMaterial } from '../tls/tls-provider.js'
import { configFilePath, ExitCode, type CommandInput } from './command-input.js'
import { createConsoleLogger } from './console-logger.js'
import { phoneUrl } from './local-server.js'
import { starterConfig } from './starter-config.js'

/** Options of {@link runInit}. */
export interface InitOptions {
  configFile?: string | undefined
  env?: NodeJS.ProcessEnv
  /** where the report goes (default stdout) */
  write?: (text: string) => void
}

/** The `vds init` entry point for src/cli.ts. */
export function initCommand(input: CommandInput): Promise<number> {
  return runInit({ configFile: input.configFile })
}

/** Sets up config, folders, database, first API key and certificates; never overwrites a config file. */
export async function runInit(options: InitOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  const write = options.write ?? ((text: string) => void process.stdout.write(text))
  const file = configFilePath(options.configFile, env)

  write(`Config:    ${writeStarterConfig(file)}\n`)
  // Load what is on disk now, so an existing file with a mistake stops here with the key named.
  const config = loadConfig({ file, env })
  const paths = resolvePaths(config)
  // The data folder holds key hashes and the CA's private key: only the owner may look inside.
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 })
  mkdirSync(paths.downloadsDir, { recursive: true })
  if (paths.logFile) mkdirSync(path.dirname(paths.logFile), { recursive: true })
  write(`Folders:   data ${paths.dataDir}\n           downloads ${paths.downloadsDir}\n`)
  if (paths.logFile) write(`           logs ${path.dirname(paths.logFile)}\n`)

  await setUpDatabase(config, paths.dataDir, write)
  const tlsOk = await setUpTls(config, paths.dataDir, write)
  printNextSteps(config, write)
  return tlsOk ? ExitCode.ok : ExitCode.failure
}

/** Writes the starter config unless the file exists; returns what happened, for the report. */
function writeStarterConfig(file: string): string {
  const { text, source } = starterConfig()
  mkdirSync(path.dirname(file), { recursive: true })
  try {
    // 'wx' fails when the file exists, so an owner's config is never replaced, even in a race.
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 })
    return `${file} (created from ${source}; edit it, then run \`vds doctor\`)`
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return `${file} already exists; left unchanged`
  }
}

async function setUpDatabase(config: Config, dataDir: string, write: (text: string) => void): Promise<void> {
  const db = openDatabase(dataDir)
  try {
    write(`Database:  ${path.join(dataDir, DATABASE_FILE)} (schema version ${schemaVersion(db)})\n`)
    const repo = createApiKeysRepository(db)
    const firstKey = await ensureFirstApiKey(config.security, repo)
    if (firstKey) {
      write(
        `API key:   "default" created. It is shown only this once (only its hash is stored);\n` +
          `           put it in your iOS Shortcut as the X-API-Key header:\n\n    ${firstKey}\n\n`,
      )
    } else if (!config.security.require_api_key) {
      write('API keys:  not required (security.require_api_key: false): anyone who can reach the port can submit\n')
    } else {
      const stored = repo.listActive().length
      write(`API keys:  ${config.security.api_keys.length} in the config, ${stored} stored; none created (\`vds keys add NAME\` makes another)\n`)
    }
  } finally {
    closeDatabase(db)
  }
}

/** Creates the local CA and server certificate when needed; false when that failed. */
async function setUpTls(config: Config, dataDir: string, write: (text: string) => void): Promise<boolean> {
  if (!config.tls.enabled) {
    write('TLS:       disabled (tls.enabled: false): the server speaks plain HTTP\n')
    return true
  }
  if (config.tls.cert_file !== null) {
    write(`TLS:       using your certificate ${config.tls.cert_file} (tls.cert_file)\n`)
    return true
  }
  try {
    write('TLS:       local certificate authority\n')
    const material = await loadTlsMaterial(config.tls, dataDir, createConsoleLogger(write))
    const summary = describeCertificate(material.cert)
    write(
      `           server certificate valid until ${summary.valid_to.toISOString().slice(0, 10)} for\n` +
        `           ${[...summary.names.dns, ...summary.names.ips].join(', ')}\n` +
        `           CA certificate ${localCaPaths(dataDir).caCert}\n`,
    )
    return true
  } catch (err) {
    write(`TLS:       FAILED: ${(err as Error).message}\n`)
    return false
  }
}

function printNextSteps(config: Config, write: (text: string) => void): void {
  const url = phoneUrl(config)
  const localCa = config.tls.enabled && config.tls.cert_file === null
  const steps = [
    'Start the server:      npm start   (or run it at boot: vds service install)',
    `Server address:        ${url}`,
    ...(localCa
      ? [
          `Trust it on iPhone:    open ${url}/ca.mobileconfig in Safari, install the profile, then enable it in`,
          '                       Settings → General → About → Certificate Trust Settings',
        ]
      : []),
    'Share-sheet Shortcut:  see docs/ios-setup.md',
    'Check the setup:       vds doctor',
  ]
  write(`\nNext steps:\n${steps.map((line) => `  ${line}`).join('\n')}\n`)
}
