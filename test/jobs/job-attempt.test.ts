// One attempt with real yt-dlp against the loopback media server: the last progress event and the
// completed row both say every byte arrived, even when throttling dropped yt-dlp's own last line.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { DownloadProgress } from '../../src/core/types.js'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { createEngineFixture, waitForStatus } from './helpers.js'

let server: MediaServer
before(async () => {
  server = await startMediaServer()
})
after(() => server.close())

test('the last progress event and the completed row show downloaded_bytes = total_bytes', async (t) => {
  const fx = await createEngineFixture(t)
  const seen: { kind: 'progress' | 'status'; progress?: DownloadProgress; status?: string | null }[] = []
  fx.events.on('progress', (e) => seen.push({ kind: 'progress', progress: e.progress }))
  fx.events.on('status', (e) => seen.push({ kind: 'status', status: e.status }))
  fx.startWorker()
  const id = fx.submit(server.url('/large.mp4'))
  const row = await waitForStatus(fx, id, 'completed')

  const progress = seen.filter((e) => e.kind === 'progress').map((e) => e.progress!)
  const last = progress.at(-1)
  assert.ok(last, 'progress was sent')
  assert.equal(last.percent, 100)
  assert.ok(last.total_bytes! > 0)
  assert.equal(last.downloaded_bytes, last.total_bytes)
  assert.equal(last.total_bytes, server.largeVideo.size)
  // It comes before the completed status, so a page's bar is full when the card turns completed.
  const completedAt = seen.findIndex((e) => e.kind === 'status' && e.status === 'completed')
  assert.ok(seen.findLastIndex((e) => e.kind === 'progress') < completedAt)
  assert.equal(row.progress_percent, 100)
  assert.equal(row.downloaded_bytes, row.total_bytes)
  assert.equal(row.total_bytes, server.largeVideo.size)
})
