// `vds service install`: run the server at boot and restart it when it fails, with systemd on
// Linux or launchd on macOS. Writes the file and prints the commands to enable it; never runs them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig, resolvePaths } from '../core/config.js'
import { PACKAGE_ROOT } from '../core/package-root.js'
import { configFilePath, ExitCode, flag, type CommandInput } from './command-input.js'
import { LAUNCHD_LABEL, renderLaunchdPlist, renderSystemdUnit, type ServiceSpec } from './service-files.js'

/** Options of {@link runServiceInstall}. */
export interface ServiceInstallOptions {
  configFile?: string | undefined
  /** systemd: a per-user service under ~/.config/systemd/user instead of a system one */
  user?: boolean
  /** print the file instead of writing it */
  dryRun?: boolean
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  out?: (text: string) => void
  err?: (text: string) => void
}

const USAGE = 'usage: vds service install [--config FILE] [--user] [--dry-run]\n'

/** The `vds service` entry point for src/cli.ts. */
export async function serviceCommand(input: CommandInput): Promise<number> {
  if (input.positionals.length !== 1 || input.positionals[0] !== 'install') {
    process.stderr.write(USAGE)
    return ExitCode.usage
  }
  return runServiceInstall({ configFile: input.configFile, user: flag(input, 'user'), dryRun: flag(input, 'dry-run') })
}

/** Renders the unit or plist for this machine and writes it (or prints it with dryRun). */
export async function runServiceInstall(options: ServiceInstallOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  const out = options.out ?? ((text: string) => void process.stdout.write(text))
  const err = options.err ?? ((text: string) => void process.stderr.write(text))
  const platform = options.platform ?? process.platform
  const configFile = configFilePath(options.configFile, env)
  if (!existsSync(configFile)) {
    err(`vds: no config file at ${configFile}: run \`vds init\` first, or pass --config FILE\n`)
    return ExitCode.failure
  }
  const config = loadConfig({ file: configFile, env })
  const paths = resolvePaths(config)
  const logDir = paths.logFile ? path.dirname(paths.logFile) : path.join(process.cwd(), 'logs')
  const spec: ServiceSpec = {
    nodePath: process.execPath,
    cliPath: path.join(PACKAGE_ROOT, 'dist', 'cli.js'),
    configFile,
    workingDirectory: process.cwd(),
    searchPath: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    writableDirs: [...new Set([paths.dataDir, paths.downloadsDir, logDir])],
  }
  if (!existsSync(spec.cliPath)) err(`vds: ${spec.cliPath} does not exist yet: run \`npm run build\` before starting the service\n`)

  const plan = planFor(platform, spec, { user: options.user ?? false, home: os.homedir(), env, logDir })
  if (plan === null) {
    err(`vds: service install supports Linux (systemd) and macOS (launchd), not ${platform}; run \`vds serve\` from your own service manager\n`)
    return ExitCode.failure
  }
  if (options.dryRun) {
    err(`# would write ${plan.target}\n`)
    out(plan.content)
    return ExitCode.ok
  }
  try {
    mkdirSync(path.dirname(plan.target), { recursive: true })
    writeFileSync(plan.target, plan.content, { mode: 0o644 })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const hint = code === 'EACCES' || code === 'EPERM' ? ': run it with sudo, or install a per-user service with --user' : ''
    err(`vds: cannot write ${plan.target} (${code ?? (error as Error).message})${hint}\n`)
    return ExitCode.failure
  }
  out(`Wrote ${plan.target}\n\nTo start it now and at every boot:\n${plan.enable.map((line) => `  ${line}`).join('\n')}\n`)
  return ExitCode.ok
}

interface InstallPlan {
  target: string
  content: string
  /** commands for the owner to run */
  enable: string[]
}

interface PlanContext {
  user: boolean
  home: string
  env: NodeJS.ProcessEnv
  logDir: string
}

function planFor(platform: NodeJS.Platform, spec: ServiceSpec, context: PlanContext): InstallPlan | null {
  if (platform === 'darwin') {
    const target = path.join(context.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
    return {
      target,
      content: renderLaunchdPlist(spec, context.logDir),
      enable: [`launchctl load -w ${target}`, `tail -f ${path.join(context.logDir, 'launchd.err.log')}`],
    }
  }
  if (platform !== 'linux') return null
  if (context.user) {
    const configHome = context.env.XDG_CONFIG_HOME || path.join(context.home, '.config')
    return {
      target: path.join(configHome, 'systemd', 'user', 'vds.service'),
      content: renderSystemdUnit(spec, { scope: 'user' }),
      enable: [
        'systemctl --user daemon-reload',
        'systemctl --user enable --now vds',
        `loginctl enable-linger ${os.userInfo().username}   # keeps it running while you are logged out`,
        'journalctl --user -u vds -f',
      ],
    }
  }
  // Under sudo, run as the person who asked, not as root.
  const runAs = context.env.SUDO_USER || os.userInfo().username
  return {
    target: '/etc/systemd/system/vds.service',
    content: renderSystemdUnit(spec, { scope: 'system', runAs }),
    enable: ['sudo systemctl daemon-reload', 'sudo systemctl enable --now vds', 'journalctl -u vds -f'],
  }
}
