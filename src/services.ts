// Wires repositories and services over one open database. main.ts and the tests share this,
// so what is tested is what runs.
import type { Config } from './config.js'
import type { Db } from './db/open.js'
import type { Logger } from './logger.js'
import { createDownloadsRepository } from './db/downloads-repository.js'
import { createApiKeysRepository } from './db/api-keys-repository.js'
import { createKeyVerifier } from './api-keys.js'
import { DownloadEvents } from './events.js'
import { createHealthService, type HealthProbes } from './health.js'
import { createSubmissionService } from './submissions.js'
import type { AppDeps } from './http/app.js'
import { VERSION } from './version.js'

export interface ServiceOptions {
  config: Config
  db: Db
  log: Logger
  probes: HealthProbes
  startedAt?: number
  /** DNS for allowed_domains "*" (tests inject one) */
  resolve?: (host: string) => Promise<string[]>
}

export function createServices(options: ServiceOptions): AppDeps & { apiKeys: ReturnType<typeof createApiKeysRepository> } {
  const { config, db, log } = options
  const downloads = createDownloadsRepository(db)
  const apiKeys = createApiKeysRepository(db)
  const events = new DownloadEvents()
  return {
    config,
    db,
    log,
    version: VERSION,
    downloads,
    apiKeys,
    events,
    keys: createKeyVerifier(config.security, apiKeys),
    health: createHealthService({
      config,
      downloads,
      version: VERSION,
      startedAt: options.startedAt ?? Date.now(),
      probes: options.probes,
    }),
    submissions: createSubmissionService({ config, downloads, events, ...(options.resolve ? { resolve: options.resolve } : {}) }),
  }
}
