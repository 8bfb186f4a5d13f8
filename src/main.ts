// Start-up and shutdown: load config → logger → database → keys → TLS → app → worker → listen.
// The only place that listens and handles signals.
import { mkdirSync } from 'node:fs'
import { loadConfig, resolvePaths, type Config } from './config.js'
import { createLogger, type Logger } from './logger.js'
import { closeDatabase, openDatabase } from './db/open.js'
import { ensureFirstApiKey } from './api-keys.js'
import type { HealthProbes } from './health.js'
import { createServices } from './services.js'
import { buildApp, type BuiltApp } from './http/app.js'
import { VERSION } from './version.js'

export interface StartOptions {
  configFile?: string | undefined
  env?: NodeJS.ProcessEnv
  /** print the first generated API key here (default stdout) */
  announce?: (text: string) => void
}

export interface RunningServer {
  app: BuiltApp
  config: Config
  log: Logger
  /** base URL the server listens on, e.g. https://127.0.0.1:8443 */
  url: string
  /** Stops taking requests, stops the worker, closes the database. Safe to call twice. */
  close(): Promise<void>
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const startedAt = Date.now()
  const config = loadConfig({ file: options.configFile, env: options.env ?? process.env })
  const paths = resolvePaths(config)
  const log = await createLogger(config.logging, paths.logFile)
  mkdirSync(paths.downloadsDir, { recursive: true })
  const db = openDatabase(paths.dataDir)
  const closers: Array<() => unknown> = [() => closeDatabase(db)]
  try {
    const probes: HealthProbes = {
      worker: () => ({ running: true, active: 0, max_concurrent: config.downloads.max_concurrent, paused: null }),
      disk: async () => ({ free_bytes: null, min_free_bytes: config.storage.min_free_disk_mb * 1024 * 1024, ok: true }),
      downloader: async () => ({ available: true, version: null }),
    }
    const services = createServices({ config, db, log, probes, startedAt })
    const firstKey = ensureFirstApiKey(config.security, services.apiKeys)
    if (firstKey) {
      const announce = options.announce ?? ((text: string) => process.stdout.write(text))
      // Printed once, never logged: only its hash is stored.
      announce(`\nGenerated API key "default" (shown once; store it in your iOS Shortcut):\n\n  ${firstKey}\n\n`)
      services.keys.reload()
    }
    const app = await buildApp(services)
    closers.unshift(() => app.close())
    const address = await app.listen({ host: config.server.host, port: config.server.port })
    log.info({ address, version: VERSION, startup_ms: Date.now() - startedAt }, 'server listening')

    let closing: Promise<void> | undefined
    const close = () =>
      (closing ??= (async () => {
        for (const closer of closers) await closer()
        log.info('server stopped')
        log.flush?.()
      })())
    return { app, config, log, url: address, close }
  } catch (err) {
    for (const closer of closers) await closer()
    throw err
  }
}

/** Runs until SIGTERM/SIGINT, then shuts down cleanly. */
export async function serve(options: StartOptions = {}): Promise<void> {
  const server = await startServer(options)
  const onSignal = (signal: NodeJS.Signals) => {
    server.log.info({ signal }, 'shutting down')
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}
