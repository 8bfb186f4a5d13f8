// @integration: installs yt-dlp from the loopback release server and downloads with it
// The managed yt-dlp in the running services: a real download made with the copy installed from
// the loopback release server, and, after an update, the downloads that failed on a site change
// (in the last 7 days) queued again once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { auth } from '../helpers/test-app.js'
import { waitFor } from '../jobs/helpers.js'
import { NEW_VERSION, NEWER_VERSION } from '../fixtures/release-builds.js'
import { ASSET, startManagedApp } from './managed-app.js'


test('a download runs with the managed copy; after an update, site_changed and unsupported_url failures of the last 7 days are queued again once', async (t) => {
  const { builds, releases, media, services } = await startManagedApp(t)
  const { app, db, downloads, tools } = services

  const installStartedMs = Date.now()
  const [installed] = await tools.checkNow()
  const installMs = Date.now() - installStartedMs
  assert.equal(installed?.updated, true)
  assert.equal(tools.commandFor('yt-dlp').kind, 'managed')
  const health = (await app.inject({ url: '/api/v1/health' })).json()
  assert.equal(health.downloader.version, NEW_VERSION)
  assert.equal(health.downloader.managed, true)
  assert.ok(health.downloader.last_update_check_at)
  assert.equal(typeof health.downloader.age_days, 'number')

  const submitted = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: media.url('/video.mp4') } })
  const id: string = submitted.json().download_id
  const done = await waitFor('the download with the managed yt-dlp', () => {
    const row = downloads.findById(id)
    return (row?.status === 'completed' || row?.status === 'failed') && row
  }, 90_000)
  assert.equal(done.status, 'completed', done.error_message ?? '')
  assert.ok((done.file_size ?? 0) > media.smallVideo.size / 2, 'the video (tagged by the post-download step, so not byte-equal)')

  // Failures a new release may fix: two recent ones, one too old, one of another kind.
  const failed = (code: string, daysAgo: number) => {
    const res = db.prepare(`INSERT INTO downloads (id, url, normalized_url, client_id, status, submitted_at, updated_at, error_code, error_message, retry_count)
      VALUES (lower(hex(randomblob(16))), ?, ?, 'c', 'failed', ?, ?, ?, 'x', 2) RETURNING id`)
    const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString()
    return (res.get(`https://127.0.0.1/${code}/${daysAgo}`, `https://127.0.0.1/${code}/${daysAgo}`, at, at, code) as { id: string }).id
  }
  // These never reach yt-dlp again in this test: the worker is stopped first.
  await services.worker.stop()
  const changed = failed('site_changed', 1)
  const unsupported = failed('unsupported_url', 6)
  const old = failed('site_changed', 8)
  const gone = failed('video_unavailable', 1)

  const [same] = await tools.checkNow()
  assert.equal(same?.updated, false)
  assert.equal(downloads.findById(changed)?.status, 'failed', 'no update, nothing queued again')

  releases.publish('yt-dlp', NEWER_VERSION, { [ASSET]: builds.ytdlpNewer.bytes })
  const updateStartedMs = Date.now()
  const [updated] = await tools.checkNow()
  const updateMs = Date.now() - updateStartedMs
  assert.equal(updated?.updated, true)
  for (const requeued of [changed, unsupported]) {
    const row = downloads.findById(requeued)
    assert.equal(row?.status, 'pending')
    assert.equal(row?.retry_count, 0)
    assert.equal(row?.error_code, null)
  }
  assert.equal(downloads.findById(old)?.status, 'failed', 'older than 7 days')
  assert.equal(downloads.findById(gone)?.status, 'failed', 'not something a release fixes')
  t.diagnostic(`first install ${installMs} ms (${builds.ytdlpNew.bytes.length} bytes), update ${updateMs} ms`)
})
