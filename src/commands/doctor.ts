// `vds doctor`: checks everything the server depends on and prints one line per check, so a
// problem is found before a phone's link waits on it.
import { existsSync } from 'node:fs'
import pino from 'pino'
import { createToolsManager } from '../tools/tools-manager.js'
import { ConfigError, loadConfig, resolvePaths, type Config } from '../core/config.js'
import { checkCertificate } from './doctor-certificate.js'
import { check, CheckStatus, type CheckResult } from './doctor-check.js'
import { checkPort } from './doctor-port.js'
import { checkDatabaseAndKeys, checkDiskSpace } from './doctor-storage.js'
import { checkFfmpeg, checkGalleryDl, checkImpersonation, checkYtDlp } from './doctor-tools.js'
import { configFilePath, ExitCode, flag, type CommandInput } from './command-input.js'

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  configFile?: string | undefined
  env?: NodeJS.ProcessEnv
  /** print a JSON array of {name, status, message} instead of lines */
  json?: boolean
  write?: (text: string) => void
}

/** The `vds doctor` entry point for src/cli.ts. */
export function doctorCommand(input: CommandInput): Promise<number> {
  return runDoctor({ configFile: input.configFile, json: flag(input, 'json') })
}

/** Runs every check; exit code 0 without failures, 1 with any, 78 when the config itself is invalid. */
export async function runDoctor(options: DoctorOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  const write = options.write ?? ((text: string) => void process.stdout.write(text))
  const results = await diagnose(options.configFile, env)
  write(options.json ? `${JSON.stringify(results, null, 2)}\n` : formatLines(results))
  const configCheck = results[0]
  if (configCheck?.name === 'config' && configCheck.status === CheckStatus.fail) return ExitCode.config
  return results.some((r) => r.status === CheckStatus.fail) ? ExitCode.failure : ExitCode.ok
}

/** The config check first; the others only when there is a valid config to check against. */
async function diagnose(configFile: string | undefined, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const file = configFilePath(configFile, env)
  let config: Config
  try {
    // The path as given, so an absent default ./config.yaml means "all defaults", like `vds serve`.
    config = loadConfig({ file: configFile, env })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return [check('config', CheckStatus.fail, `${file}: ${err.message}`)]
  }
  const found = existsSync(file) ? `${file} is valid` : `no file at ${file}: every key has its default (\`vds init\` writes one)`
  return [check('config', CheckStatus.ok, found), ...(await runChecks(config))]
}

async function runChecks(config: Config): Promise<CheckResult[]> {
  const paths = resolvePaths(config)
  const tools = createToolsManager({ config, dataDir: paths.dataDir, log: pino({ level: 'silent' }) })
  return Promise.all([
    checkYtDlp(tools.commandFor('yt-dlp').command, new Date(), tools.commandFor('yt-dlp').kind),
    checkGalleryDl(tools.commandFor('gallery-dl').command, tools.commandFor('gallery-dl').kind),
    checkImpersonation(tools.commandFor('yt-dlp').command),
    checkFfmpeg(),
    checkDiskSpace(paths.downloadsDir, config.storage.min_free_disk_mb),
    ...checkDatabaseAndKeys(config, paths.dataDir),
    checkCertificate(config.tls, paths.dataDir),
    checkPort(config),
  ])
}

function formatLines(results: CheckResult[]): string {
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.name.padEnd(11)}  ${r.message}`)
  const failed = results.filter((r) => r.status === CheckStatus.fail).length
  const warned = results.filter((r) => r.status === CheckStatus.warn).length
  return `${lines.join('\n')}\n\n${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}\n`
}
