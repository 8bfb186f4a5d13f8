// Builds the real app on a temp directory with a real SQLite file; closes and removes it after the test.
import path from 'node:path'
import type { TestContext } from 'node:test'
import pino from 'pino'
import { parseConfig, type Config } from '../../src/core/config.js'
import { closeDatabase, openDatabase, openServerConnection } from '../../src/db/open.js'
import { buildApp, type ServerOptions } from '../../src/http/app.js'
import { startWriter } from '../../src/db/writer.js'
import type { HealthProbes } from '../../src/status/health.js'
import { createServices, type ServiceOptions } from '../../src/composition-root.js'
import type { Logger } from '../../src/core/logger.js'
import { tempDir } from './temp-dir.js'

export { tempDir }

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef'

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] }


/** A valid config on a temp dir: quiet logs, one admin key, TikTok + Instagram allowed. */
export function testConfig(dir: string, overrides: DeepPartial<Config> = {}): Config {
  const base: DeepPartial<Config> = {
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads'), min_free_disk_mb: 0 },
    security: { api_keys: [{ name: 'test-admin', key: ADMIN_KEY }] },
    logging: { level: 'silent', file: null },
    tls: { enabled: false },
  }
  const merged: Record<string, object> = { ...base }
  for (const [section, values] of Object.entries(overrides)) {
    merged[section] = { ...(merged[section] ?? {}), ...(values as object) }
  }
  return parseConfig(merged)
}

export const idleProbes = (config: Config): HealthProbes => ({
  worker: () => ({ running: true, active: 0, max_concurrent: config.downloads.max_concurrent, paused: null }),
  disk: async () => ({ free_bytes: 10 ** 12, min_free_bytes: config.storage.min_free_disk_mb * 2 ** 20, ok: true }),
  downloader: async () => ({ available: true, version: '2099.01.01' }),
})

export interface TestAppOptions {
  config?: DeepPartial<Config>
  /** replaces the real probes; default: the real worker, disk and yt-dlp */
  probes?: (config: Config) => HealthProbes
  resolve?: (host: string) => Promise<string[]>
  /** start the real download worker (stopped again after the test) */
  startWorker?: boolean
  /** reuse this folder (from an earlier buildTestApp), as a restart would; default a new temp folder */
  dir?: string
  /** default: silent */
  log?: Logger
  /** notification seams (fetch trusting a test CA, sweep interval) */
  notifier?: ServiceOptions['notifier']
  /** the clock of signed file links (unix ms) */
  now?: () => number
  /** tools manager seams (platform, fetch, retry delay) */
  tools?: ServiceOptions['tools']
  /**
   * writes go through the real writer thread and `db` is read-only (query_only), as in the server
   * (default: writes in-process on `db`)
   */
  writerThread?: boolean
  /** the server certificate (PEM) the app serves with: its names make links absolute */
  serverCert?: () => string | null
  /** serve over HTTPS with these TLS options (listen with app.listen); default plain HTTP */
  https?: ServerOptions['https']
  /** PEM of the local CA the app offers (/ca.crt; the pairing page's trust steps); default none */
  caCert?: string
  /** signing the pairing page's Shortcuts (platform, where `shortcuts` is looked for, timeout) */
  shortcuts?: ServiceOptions['shortcuts']
}

export async function buildTestApp(t: TestContext, options: TestAppOptions = {}) {
  const dir = options.dir ?? tempDir(t)
  const config = testConfig(dir, options.config)
  const db = options.writerThread ? openServerConnection(config.storage.data_dir) : openDatabase(config.storage.data_dir)
  const writer = options.writerThread ? await startWriter(config.storage.data_dir, { busyTimeoutMs: 100 }) : undefined
  const services = createServices({
    config,
    db,
    ...(writer ? { writer } : {}),
    log: options.log ?? pino({ level: 'silent' }),
    ...(options.probes ? { probes: () => options.probes!(config) } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.serverCert ? { serverCert: options.serverCert } : {}),
    ...(options.shortcuts ? { shortcuts: options.shortcuts } : {}),
    ...(options.caCert ? { caCert: () => options.caCert! } : {}),
  })
  const app = await buildApp(services, { https: options.https ?? null })
  if (options.startWorker) services.worker.start()
  t.after(async () => {
    await services.notifier.stop()
    await services.tools.stop()
    services.logins.stop()
    await services.worker.stop()
    await services.egress.stop()
    await app.close()
    await services.shortcutSigner.stop()
    await services.writer.stop()
    closeDatabase(db)
  })
  return { ...services, app, dir, db }
}

export const auth = { 'x-api-key': ADMIN_KEY }
