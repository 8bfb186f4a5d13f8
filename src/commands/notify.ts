// `vds notify test`: one test message to every notification target (webhooks, ntfy, each subscribed
// web app), sent now from this process, with what each answered. Works while the server runs: it
// reads the same config, data folder secrets and push subscriptions.
import pino from 'pino'
import { loadConfig, resolvePaths } from '../core/config.js'
import { publicBaseUrl } from '../core/public-address.js'
import { toDownloadView } from '../http/download-view.js'
import { DownloadEvents } from '../core/events.js'
import { createDownloadsRepository } from '../db/downloads-repository.js'
import { createNotificationsRepository } from '../db/notifications-repository.js'
import { openDatabase } from '../db/open.js'
import { NotificationDispatcher } from '../notify/dispatcher.js'
import type { NotificationTarget } from '../notify/targets.js'
import { ExitCode, type CommandInput } from './command-input.js'

export interface NotifyOutput {
  out(text: string): void
  err(text: string): void
}

const processOutput: NotifyOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

const USAGE = `Usage:
  vds notify test      send a test message to every webhook, the ntfy topic and every subscribed web app
`

/** Where a target is, without paths or queries (they may hold tokens). */
function describeTarget(target: NotificationTarget): string {
  const origin = (url: string) => {
    try {
      return new URL(url).origin
    } catch {
      return 'an invalid URL'
    }
  }
  switch (target.kind) {
    case 'webhook':
      return `webhook ${origin(target.url)}`
    case 'ntfy':
      return `ntfy ${origin(target.url)}`
    case 'push':
      return `web push ${origin(target.subscription.endpoint)} (${target.subscription.api_key_name ?? 'no key name'})`
  }
}

export async function notifyCommand(input: CommandInput, output: NotifyOutput = processOutput): Promise<number> {
  const [sub, ...extra] = input.positionals
  if (sub !== 'test' || extra.length > 0) {
    output.err(`${sub === undefined ? 'Missing' : 'Unknown'} notify command${sub ? ` "${sub}"` : ''}\n\n${USAGE}`)
    return ExitCode.usage
  }
  const config = loadConfig({ file: input.configFile })
  const paths = resolvePaths(config)
  const db = openDatabase(paths.dataDir)
  try {
    const notifications = createNotificationsRepository(db)
    const dispatcher = new NotificationDispatcher({
      config,
      notifications,
      downloads: createDownloadsRepository(db),
      events: new DownloadEvents(),
      log: pino({ level: 'silent' }),
      dataDir: paths.dataDir,
      baseUrl: publicBaseUrl(config),
      // A test message names no download; downloads' own events are sent by the server.
      viewOf: (row) => toDownloadView(row, [], () => null),
    })
    const results = await dispatcher.sendTest(() => notifications.listSubscriptions())
    if (results.length === 0) {
      output.err('No notification targets: add notifications.webhooks or notifications.ntfy to the config, or allow notifications in the web app\n')
      return ExitCode.failure
    }
    for (const { target, result } of results) {
      output.out(result.ok ? `ok      ${describeTarget(target)} answered ${result.status}\n` : `FAILED  ${describeTarget(target)}: ${result.error}\n`)
    }
    const failed = results.filter((r) => !r.result.ok).length
    output.out(`${results.length - failed} of ${results.length} targets accepted the test message\n`)
    return failed === 0 ? ExitCode.ok : ExitCode.failure
  } finally {
    // A plain close: a running server owns the WAL and checkpoints it.
    db.close()
  }
}
