// Start-up and shutdown: config → logger → lock → database → keys → recovery → TLS → app →
// listen → worker. The only place that listens and handles signals.
import { mkdirSync } from 'node:fs'
import type { Server as HttpsServer } from 'node:https'
import { loadConfig, resolvePaths, type Config } from './core/config.js'
import { createLogger, type Logger } from './core/logger.js'
import { closeDatabase, openServerConnection } from './db/open.js'
import { spawnWriter } from './db/writer.js'
import { ensureFirstApiKey } from './keys/key-verifier.js'
import { createServices, type Services } from './composition-root.js'
import { buildApp, type BuiltApp } from './http/app.js'
import { acquireInstanceLock } from './process/instance-lock.js'
import { loadTlsMaterial, scheduleRenewal, watchCertificateFiles, type TlsMaterial } from './tls/tls-provider.js'
import { secureContextOptions, tlsServerOptions } from './tls/server-options.js'
import { VERSION } from './core/version.js'
import { asStartupError, EXIT_CODES, StartupError } from './core/errors.js'

export interface StartOptions {
  configFile?: string | undefined
  env?: NodeJS.ProcessEnv
  /** where the first generated API key is printed (default stdout; never the log) */
  announce?: (text: string) => void
}

export interface RunningServer {
  app: BuiltApp
  config: Config
  log: Logger
  /** base URL the server listens on, e.g. https://127.0.0.1:8443 */
  url: string
  /**
   * Stops taking requests (in-flight ones finish), stops yt-dlp and puts its jobs back to pending,
   * closes the database and releases the data folder. Safe to call twice.
   */
  close(): Promise<void>
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const startedAt = Date.now()
  const config = loadConfig({ file: options.configFile, env: options.env ?? process.env })
  const paths = resolvePaths(config)
  const log = await createLogger(config.logging, paths.logFile)
  const shortKeys = config.security.api_keys.filter((entry) => (typeof entry === 'string' ? entry : entry.key).length < 16)
  if (shortKeys.length > 0) {
    log.warn({ count: shortKeys.length }, 'security.api_keys has keys shorter than 16 characters: easy to guess; `vds keys add` makes strong ones')
  }
  // Run in reverse order by close(), and on a failed start.
  const cleanups: Array<() => unknown> = []
  const cleanUp = async () => {
    while (cleanups.length) await cleanups.pop()!()
  }
  try {
    cleanups.push(takeDataFolder(paths.dataDir))
    // Migrations run here, on the main thread, before the writer starts: a database this server
    // cannot use stops the start with the same one-line errors as before, and no write races them.
    const db = startupStep(`cannot use storage.data_dir ${paths.dataDir} or storage.downloads_dir ${paths.downloadsDir}`, () => {
      mkdirSync(paths.downloadsDir, { recursive: true })
      // A short busy_timeout: reads never wait long on another process's lock. Read-only once
      // migrated: the writer thread makes every write.
      return openServerConnection(paths.dataDir, { autoCheckpoint: false, busyTimeoutMs: 100 })
    })
    cleanups.push(() => closeDatabase(db))
    // Certificates (generated in a child process on first start) while the rest (the writer thread too) starts up.
    const tlsLoading = config.tls.enabled ? loadTlsMaterial(config.tls, paths.dataDir, log) : Promise.resolve(null)
    // Never an unhandled rejection while recovery runs; the await below rethrows.
    tlsLoading.catch(() => {})
    // Every commit (and its fsync) and the WAL checkpoints run on the writer thread. busy_timeout
    // 100 ms there too: a submission refused by another process's lock is a prompt 503, a refused
    // job state is kept and retried (deferred-writes.ts). The thread starts while the app is built
    // below (its isolate takes ~0.4 s); writes asked meanwhile wait for it, and recovery, the first
    // thing that needs one, runs after `ready`.
    const writer = spawnWriter(paths.dataDir, {
      busyTimeoutMs: 100,
      onCheckpointError: (message) => log.warn({ reason: message }, 'WAL checkpoint failed; retrying at the next interval'),
      onCrash: (err) => log.error({ err }, 'the database writer thread failed; starting it again'),
    })
    cleanups.push(() => writer.stop())

    let tls: TlsMaterial | null = null
    const services = createServices({ config, db, writer, log, paths, startedAt, caCert: () => tls?.caCert ?? null, serverCert: () => tls?.cert ?? null })
    // The first health check reports the downloaders' versions: ask them now (a Python start each),
    // on the other core, instead of when the first check comes.
    services.tools.statuses().catch(() => {})
    // SPEC §6 order on shutdown (cleanups run last-in first-out): stop taking requests (app.close,
    // pushed below), then stop yt-dlp and put its jobs back to pending, then close the database.
    // After the worker has stopped (below in this list), attempts in flight end before the database closes.
    // Runs after the worker has stopped (cleanups are last-in first-out): what is still kept is
    // given up, and recovery finds those rows at the next start.
    cleanups.push(() => services.deferredWrites.stop())
    cleanups.push(services.startMaintenance())
    cleanups.push(() => services.notifier.stop())
    // Stopped after the worker (cleanups run last-in first-out): no attempt outlives its proxy.
    cleanups.push(() => services.egress.stop())
    await services.egress.start().catch((err: unknown) => log.error({ err }, "the downloaders' egress proxy could not start; downloads wait (see /api/v1/health)"))
    cleanups.push(() => stopWorkerWithin(services, KEPT_WRITES_GRACE_MS))

    // Runs after app.close (last-in first-out): a Shortcut signing for a page still open is stopped.
    cleanups.push(() => services.shortcutSigner.stop())
    tls = await tlsLoading
    const app = await buildApp(services, {
      https: tls ? tlsServerOptions(tls) : null,
    })
    cleanups.push(() => app.close())

    await writer.ready.catch((err: unknown) => {
      throw asStartupError(err, `cannot write to the database in storage.data_dir ${paths.dataDir}`)
    })
    await announceFirstKey(services, options)
    const recovered = await services.recover()
    if (recovered.requeued.length) log.info({ count: recovered.requeued.length }, 'resuming interrupted downloads')
    if (recovered.adopted.length) log.info({ count: recovered.adopted.length }, 'completed downloads whose files were finished before the last stop')
    if (tls) {
      const apply = (material: TlsMaterial) => {
        tls = material
        ;(app.server as HttpsServer).setSecureContext(secureContextOptions(material))
      }
      cleanups.push(watchCertificateFiles(config.tls, log, apply), scheduleRenewal(config.tls, paths.dataDir, log, apply))
    }
    const where = `${config.server.host}:${config.server.port}`
    const url = await app.listen({ host: config.server.host, port: config.server.port }).catch((err: unknown) => {
      throw asStartupError(err, `cannot listen on ${where} (server.host, server.port)`)
    })
    services.worker.start()
    // Installs a managed downloader in the background when none is usable: never waits on the network.
    services.tools.start()
    cleanups.push(() => services.tools.stop())
    await services.logins.start()
    cleanups.push(() => services.logins.stop())
    // Also sends what a crash left in the outbox.
    services.notifier.start()
    log.info({ address: url, version: VERSION, tls: tls !== null, startup_ms: Date.now() - startedAt }, 'server listening')

    let closing: Promise<void> | undefined
    const close = () =>
      (closing ??= cleanUp().then(() => {
        log.info('server stopped')
        log.flush?.()
      }))
    return { app, config, log, url, close }
  } catch (err) {
    await cleanUp()
    throw err
  }
}

/**
 * How long shutdown waits for job ends the database refuses (locked, full) before giving them up.
 * Downloaders are stopped within their kill grace (3 s) meanwhile; SPEC §6 wants the exit within 10 s.
 */
const KEPT_WRITES_GRACE_MS = 5_000

/**
 * Stops the worker. An attempt whose end the database keeps refusing would hold it forever, so
 * after `graceMs` the kept writes are given up: those rows stay `downloading`, and the next start
 * adopts their finished files or runs them again (jobs/recovery.ts).
 */
async function stopWorkerWithin(services: Services, graceMs: number): Promise<void> {
  const timer = setTimeout(() => services.deferredWrites.stop(), graceMs)
  try {
    await services.worker.stop()
  } finally {
    clearTimeout(timer)
  }
}

/** Runs a synchronous start-up step; the operator's failures become one-line StartupErrors. */
function startupStep<T>(what: string, step: () => T): T {
  try {
    return step()
  } catch (err) {
    throw asStartupError(err, what)
  }
}

/** The instance lock: another server on this data folder is the operator's to resolve. */
function takeDataFolder(dataDir: string): () => void {
  return startupStep(`cannot use storage.data_dir ${dataDir}`, () => {
    try {
      return acquireInstanceLock(dataDir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== undefined) throw err
      throw new StartupError((err as Error).message, EXIT_CODES.inUse)
    }
  })
}

async function announceFirstKey(services: Services, options: StartOptions): Promise<void> {
  const firstKey = await ensureFirstApiKey(services.config.security, services.apiKeys)
  if (!firstKey) return
  const announce = options.announce ?? ((text: string) => process.stdout.write(text))
  // Printed once, never logged: only its hash is stored.
  announce(`\nGenerated API key "default" (shown once; put it in your iOS Shortcut):\n\n  ${firstKey}\n\n`)
  services.keys.reload()
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
