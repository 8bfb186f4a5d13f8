// Health when the downloaders' egress proxy could not start: unhealthy, naming it, because no
// download runs around it. Not yet started (a server still starting up) is not a fault. And the
// disk: a full one under the database, or a download that filled it, are named too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../src/core/config.js'
import type { DownloadsRepository } from '../../src/db/downloads-repository.js'
import type { EgressStatus } from '../../src/egress/egress-proxy.js'
import { createHealthService } from '../../src/status/health.js'

function reportWith(egress: EgressStatus, extra: { paused?: 'disk_full' | null; databaseFree?: number } = {}) {
  const config = parseConfig({})
  const downloads = { countsByStatus: () => ({ pending: 0, downloading: 0, completed: 0, failed: 0, cancelled: 0 }) } as unknown as DownloadsRepository
  return createHealthService({
    config,
    downloads,
    version: 'test',
    startedAt: Date.now(),
    probes: {
      worker: () => ({ running: true, active: 0, max_concurrent: 1, paused: extra.paused ?? null }),
      disk: async () => ({ free_bytes: 10 ** 12, min_free_bytes: 0, ok: true }),
      downloader: async () => ({ available: true, version: new Date().toISOString().slice(0, 10).replaceAll('-', '.') }),
      egress: () => egress,
      ...(extra.databaseFree === undefined ? {} : { databaseDisk: async () => extra.databaseFree! }),
    },
  }).report()
}

test('a proxy that failed to start makes health unhealthy with an egress check', async () => {
  const health = await reportWith({ running: false, error: "the downloaders' proxy could not listen on 127.0.0.1: EADDRNOTAVAIL", active: 0 })
  assert.equal(health.status, 'unhealthy')
  const check = health.checks.find((c) => c.name === 'egress')
  assert.equal(check?.status, 'fail')
  assert.match(check?.message ?? '', /EADDRNOTAVAIL; downloads wait/)
})

test('running, or not started yet, is healthy', async () => {
  assert.equal((await reportWith({ running: true, error: null, active: 2 })).status, 'healthy')
  assert.equal((await reportWith({ running: false, error: null, active: 0 })).status, 'healthy')
})

const RUNNING: EgressStatus = { running: true, error: null, active: 0 }

test('a full disk under the database is a database check even before a write fails', async () => {
  const full = await reportWith(RUNNING, { databaseFree: 4096 })
  assert.equal(full.status, 'degraded')
  assert.match(full.checks.find((c) => c.name === 'database')?.message ?? '', /disk holding the database is full/)
  assert.equal((await reportWith(RUNNING, { databaseFree: 10 ** 9 })).status, 'healthy')
})

test('a download that filled the disk shows as a disk check while the queue waits for space', async () => {
  const health = await reportWith(RUNNING, { paused: 'disk_full' })
  assert.equal(health.status, 'degraded')
  assert.match(health.checks.find((c) => c.name === 'disk')?.message ?? '', /filled the disk; downloads wait until space is freed/)
})
