// Shared set-up for the download engine tests: a temp folder with a real SQLite database and a
// downloads folder, a config that allows the loopback fixture server, and clean-up that fails the
// test if a yt-dlp process for that folder is still alive.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import pino from 'pino'
import { parseConfig, type Config } from '../../src/core/config.js'
import { createDownloadsRepository } from '../../src/db/downloads-repository.js'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { createSubmissionWrites } from '../../src/db/submission-writes.js'
import { createDownloadFilesRepository } from '../../src/db/download-files-repository.js'
import { closeDatabase, openDatabase, type Db } from '../../src/db/open.js'
import { DownloadEvents } from '../../src/core/events.js'
import { findProcessesMentioning } from '../../src/process/process-tree.js'
import { DownloadWorker, type WorkerDeps } from '../../src/jobs/worker.js'
import { createEgressProxy, type EgressProxy } from '../../src/egress/egress-proxy.js'
import { createDownloadActions, type DownloadActions } from '../../src/jobs/download-actions.js'
import type { DownloadRow, DownloadStatus } from '../../src/core/types.js'
import { waitFor } from '../helpers/wait-for.js'

export { waitFor }

type ConfigOverrides = { [S in keyof Config]?: Partial<Config[S]> }

export interface EngineFixture {
  dir: string
  downloadsDir: string
  db: Db
  config: Config
  events: DownloadEvents
  log: pino.Logger
  downloads: ReturnType<typeof createDownloadsRepository>
  jobs: ReturnType<typeof createJobsRepository>
  /** the downloaders' egress proxy, as the server runs it (started at the first attempt) */
  egress: EgressProxy
  /** inserts a pending row the way a submission does and wakes the worker */
  submit(url: string): string
  row(id: string): DownloadRow
  /** a worker on this fixture, stopped in clean-up */
  startWorker(extra?: Partial<WorkerDeps>): DownloadWorker
  /** cancel, retry and delete driving this worker */
  actionsOn(worker: DownloadWorker): DownloadActions
  /** runs at clean-up, last registered first */
  defer(cleanup: () => unknown): void
}

/** Builds the fixture; everything is removed after the test, and leftover processes fail it. */
export async function createEngineFixture(t: TestContext, overrides: ConfigOverrides = {}): Promise<EngineFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vds-jobs-'))
  const downloadsDir = path.join(dir, 'downloads')
  const config = parseConfig({
    ...overrides,
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: downloadsDir, min_free_disk_mb: 0, ...overrides.storage },
    downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [], timeout_seconds: 60, ...overrides.downloads },
    logging: { level: 'silent', file: null },
  })
  const db = openDatabase(config.storage.data_dir)
  const events = new DownloadEvents()
  const downloads = createDownloadsRepository(db)
  // Synchronous, on the test's own writable connection: a fixture row, not the code under test.
  const submissions = createSubmissionWrites(db)
  const cleanups: (() => unknown)[] = []
  const egress = createEgressProxy({ allowedDomains: config.downloads.allowed_domains })

  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    await egress.stop()
    const leftovers = await findProcessesMentioning(dir)
    for (const leftover of leftovers) process.kill(leftover.pid, 'SIGKILL')
    closeDatabase(db)
    await rm(dir, { recursive: true, force: true })
    assert.deepEqual(leftovers.map((p) => p.command), [], 'no process may outlive its test')
  })

  const fixture: EngineFixture = {
    dir,
    downloadsDir,
    db,
    config,
    events,
    log: pino({ level: 'silent' }),
    downloads,
    jobs: createJobsRepository(db),
    egress,
    submit(url) {
      const id = randomUUID()
      submissions.submit(
        { id, url, normalized_url: url, client_id: 'test-client', api_key_name: null, shared_at: null, now: new Date().toISOString() },
        { deduplicate: false },
      )
      events.emit('queued', { id })
      return id
    },
    row(id) {
      const row = downloads.findById(id)
      assert.ok(row, `row ${id} exists`)
      return row
    },
    startWorker(extra = {}) {
      const worker = new DownloadWorker({ jobs: fixture.jobs, config, events, log: fixture.log, downloadsDir, egress, ...extra })
      cleanups.push(() => worker.stop())
      worker.start()
      return worker
    },
    actionsOn(worker) {
      return createDownloadActions({ jobs: fixture.jobs, downloads, files: createDownloadFilesRepository(db), events, worker, downloadsDir })
    },
    defer(cleanup) {
      cleanups.push(cleanup)
    },
  }
  return fixture
}


/** Waits until the row has `status`. */
export function waitForStatus(fx: EngineFixture, id: string, status: DownloadStatus, timeoutMs?: number): Promise<DownloadRow> {
  return waitFor(`download ${id} to be ${status}`, () => {
    const row = fx.row(id)
    return row.status === status ? row : undefined
  }, timeoutMs)
}

/** Files left in the downloads folder's work area (unfinished downloads). */
export async function partialFiles(fx: EngineFixture): Promise<string[]> {
  return readdir(path.join(fx.downloadsDir, '.incomplete'), { recursive: true }).catch(() => [])
}

/** Finished files in the downloads folder (relative paths, in storage.path_template's folders). */
export async function finishedFiles(fx: EngineFixture): Promise<string[]> {
  const entries = await readdir(fx.downloadsDir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(fx.downloadsDir, path.join(e.parentPath, e.name)))
    .filter((relative) => !relative.startsWith(`.incomplete${path.sep}`))
    .sort()
}
