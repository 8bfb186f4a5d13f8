// The service definitions `vds service install` writes: a systemd unit (Linux) and a launchd
// property list (macOS). Pure functions of a ServiceSpec, so both can be tested on any OS.
import path from 'node:path'
import { build as buildPlist } from 'plist'

/** What the service runs and where; every path absolute. */
export interface ServiceSpec {
  /** the Node.js binary (process.execPath of the installer) */
  nodePath: string
  /** dist/cli.js of this package */
  cliPath: string
  configFile: string
  /** relative paths in the config (./data, ./downloads, ./logs) resolve against this */
  workingDirectory: string
  /**
   * PATH for the service. Service managers start with a minimal PATH that misses ~/.local/bin and
   * /opt/homebrew/bin, where yt-dlp and ffmpeg often live; the installer's PATH finds them.
   */
  searchPath: string
  /** data, downloads and log folders: the only places a hardened system service may write outside /home */
  writableDirs: string[]
}

/** systemd: a system service (optionally as another user) or a per-user service. */
export interface SystemdOptions {
  scope: 'system' | 'user'
  /** User= of a system service; user services always run as their owner */
  runAs?: string | undefined
}

export const LAUNCHD_LABEL = 'com.videodownloadserver.vds'
/** Seconds between SIGTERM and SIGKILL: the server needs a moment to stop yt-dlp and close the database. */
const STOP_TIMEOUT_SECONDS = 30

/** The `vds.service` unit text. */
export function renderSystemdUnit(spec: ServiceSpec, options: SystemdOptions): string {
  const command = [spec.nodePath, spec.cliPath, 'serve', '--config', spec.configFile].map(quoteSystemdArg).join(' ')
  const system = options.scope === 'system'
  const lines = [
    '# Video Download Server, written by `vds service install`. Run that again after moving the files.',
    '[Unit]',
    'Description=Video Download Server',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(system && options.runAs ? [`User=${options.runAs}`] : []),
    `WorkingDirectory=${escapeSpecifiers(spec.workingDirectory)}`,
    `Environment=${quoteSystemdArg(`PATH=${spec.searchPath}`)}`,
    'Environment=NODE_ENV=production',
    `ExecStart=${command}`,
    'Restart=on-failure',
    'RestartSec=5',
    // SIGTERM lets the server put running jobs back to pending and close the database cleanly.
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${STOP_TIMEOUT_SECONDS}`,
    'NoNewPrivileges=true',
    // These need a system service manager; a user manager may refuse to start the unit with them.
    // ProtectSystem=full makes /usr and /etc read-only, so folders placed there are opened up again
    // ("-": a folder that does not exist yet is no error). No PrivateTmp: a data_dir under /tmp
    // would silently be a different, empty folder for the service.
    ...(system
      ? [
          'ProtectSystem=full',
          'ProtectKernelTunables=true',
          'ProtectControlGroups=true',
          `ReadWritePaths=${spec.writableDirs.map((dir) => quoteSystemdArg(`-${dir}`)).join(' ')}`,
        ]
      : []),
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
  ]
  return `${lines.join('\n')}\n`
}

/** The LaunchAgent property list; stdout and stderr go to files in `logDir`. */
export function renderLaunchdPlist(spec: ServiceSpec, logDir: string): string {
  return buildPlist({
    Label: LAUNCHD_LABEL,
    ProgramArguments: [spec.nodePath, spec.cliPath, 'serve', '--config', spec.configFile],
    WorkingDirectory: spec.workingDirectory,
    EnvironmentVariables: { PATH: spec.searchPath, NODE_ENV: 'production' },
    RunAtLoad: true,
    KeepAlive: true,
    // launchd sends SIGTERM first, then SIGKILL after this many seconds.
    ExitTimeOut: STOP_TIMEOUT_SECONDS,
    StandardOutPath: path.join(logDir, 'launchd.out.log'),
    StandardErrorPath: path.join(logDir, 'launchd.err.log'),
  })
}

/** systemd expands %x specifiers everywhere; a literal percent sign is %%. */
function escapeSpecifiers(value: string): string {
  return value.replace(/%/g, '%%')
}

/** One ExecStart/Environment word: quoted when it has spaces or quotes, with $ and % made literal. */
function quoteSystemdArg(value: string): string {
  const literal = escapeSpecifiers(value).replace(/\$/g, () => '$$')
  if (!/[\s"'\\;]/.test(literal)) return literal
  return `"${literal.replace(/["\\]/g, (c) => `\\${c}`)}"`
}
