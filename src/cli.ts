#!/usr/bin/env node
// `vds` command line: parse the command, hand over to its module, turn errors into one clear line.
import { parseArgs } from 'node:util'
import { ConfigError, StartupError } from './core/errors.js'
import { VERSION } from './core/version.js'

const HELP = `vds ${VERSION} — Video Download Server

Usage: vds <command> [options]

Commands:
  serve                    run the server (what \`npm start\` runs)
  init                     first setup: config file, folders, database, first API key, certificates
  doctor [--json]          check config, yt-dlp, ffmpeg, disk, database, keys, certificate, port;
                           exit code 1 when a check fails
  submit URL [--server URL] [--key KEY] [--client-id ID] [--insecure]
                           queue a link on a running server (default https://127.0.0.1:<server.port>;
                           the local CA is trusted automatically)
  service install [--user] [--dry-run]
                           run the server at boot: systemd unit (Linux; --user for a per-user one)
                           or launchd agent (macOS); --dry-run prints it instead of writing it
  keys add NAME [--scope submit|admin]
                           make an API key for one device (default scope submit); printed once
  keys list [--json]       key names, scopes and dates (never the keys)
  keys revoke NAME         stop a key at once, also on a running server
  pair NAME [--scope submit|admin]
                           a single-use link + QR code that sets up one phone (15 minutes)
  tools status [--json]    the downloaders: managed or not, version, age, last update check
  tools update [--key KEY] check for new yt-dlp / gallery-dl releases now and install them
                           (through the running server, or by itself when none runs)
  cookies import SITE FILE store a Netscape cookies.txt for a site that needs a login (e.g. instagram.com);
                           downloads waiting for that login resume
  cookies list [--json]    sites with cookies: count and earliest expiry (never the values)
  cookies remove SITE      forget a site's cookies
  notify test              send a test message to every webhook, the ntfy topic and each subscribed
                           web app, and show what each answered

Options:
  -c, --config FILE        config file (default ./config.yaml; or VDS_CONFIG)
  -h, --help               this help
  -v, --version            print the version

Environment:
  VDS_CONFIG               config file, like --config
  VDS_API_KEY              API key for \`vds submit\` and \`vds tools update\`, like --key
  VDS_<SECTION>__<KEY>     override one config key, e.g. VDS_SERVER__PORT=9443
                           (lists are comma-separated: VDS_DOWNLOADS__ALLOWED_DOMAINS=tiktok.com,instagram.com)

Examples:
  vds init && vds doctor              # set up, then check everything
  vds serve --config /etc/vds/config.yaml
  vds submit https://www.tiktok.com/@user/video/123 --key vds_...
  sudo vds service install            # systemd unit running as you
  vds pair iphone-anna                # QR code: Anna's phone sets itself up
  vds keys add iphone-anna            # a submit key for Anna's phone
  vds keys revoke iphone-anna         # the phone was lost
`

interface CommandContext {
  configFile: string | undefined
  positionals: string[]
  values: Record<string, string | boolean | undefined>
}

type Command = (context: CommandContext) => Promise<number | void>

const COMMANDS: Record<string, Command> = {
  serve: async ({ configFile }) => {
    const { serve } = await import('./main.js')
    await serve({ configFile })
  },
  keys: async (context) => (await import('./commands/keys.js')).keysCommand(context),
  init: async (context) => (await import('./commands/init.js')).initCommand(context),
  doctor: async (context) => (await import('./commands/doctor.js')).doctorCommand(context),
  submit: async (context) => (await import('./commands/submit.js')).submitCommand(context),
  service: async (context) => (await import('./commands/service.js')).serviceCommand(context),
  pair: async (context) => (await import('./commands/pair.js')).pairCommand(context),
  notify: async (context) => (await import('./commands/notify.js')).notifyCommand(context),
  tools: async (context) => (await import('./commands/tools.js')).toolsCommand(context),
  cookies: async (context) => (await import('./commands/cookies.js')).cookiesCommand(context),
}

export async function runCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      scope: { type: 'string' },
      'client-id': { type: 'string' },
      server: { type: 'string' },
      key: { type: 'string' },
      insecure: { type: 'boolean' },
      json: { type: 'boolean' },
      user: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  })
  if (values.version) {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  const [name, ...rest] = positionals
  const command = name === undefined ? undefined : COMMANDS[name]
  if (values.help || !command) {
    process.stdout.write(HELP)
    if (name !== undefined && !command) process.stderr.write(`\nUnknown command "${name}"\n`)
    return values.help || name === undefined ? 0 : 2
  }
  return (await command({ configFile: values.config, positionals: rest, values })) ?? 0
}

// `vds init | head` closes stdout early: finish the work (database, key, certificates) regardless.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
})

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code
  },
  (err: unknown) => {
    // An operator's error is one line without a stack trace; anything else is a bug, shown in full.
    const message =
      err instanceof ConfigError
        ? `Configuration error: ${err.message}`
        : err instanceof StartupError
          ? err.message
          : (err as Error).stack ?? String(err)
    process.stderr.write(`vds: ${message}\n`)
    process.exitCode = err instanceof ConfigError || err instanceof StartupError ? err.exitCode : 1
  },
)
