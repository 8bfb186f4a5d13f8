// @integration: installs yt-dlp from the loopback release server and downloads with it
// No network, no problem (issue 11 item 5), end to end on the real app and worker: a first start
// with no yt-dlp on the machine and the release server unreachable still serves; a link submitted
// meanwhile waits as downloader_missing (not failed, no retry counted); once the network is back the
// managed copy is installed by itself and the waiting job is downloaded with it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { NEW_VERSION } from '../fixtures/release-builds.js'
import { auth } from '../helpers/test-app.js'
import { waitFor } from '../jobs/helpers.js'
import { ASSET, startManagedApp } from './managed-app.js'

test('offline first start without any yt-dlp: jobs wait as downloader_missing, then run with the copy installed once online', async (t) => {
  const { releases, media, services } = await startManagedApp(t, { offline: true, retryMs: 500 })
  const { app, downloads, tools } = services
  tools.start() // what serve does; the test app stops it

  const health = (await app.inject({ url: '/api/v1/health' })).json()
  assert.equal(health.downloader.available, false)
  const submitted = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: media.url('/video.mp4') } })
  assert.equal(submitted.statusCode, 201, 'the server takes links with no downloader at all')
  const id: string = submitted.json().download_id
  const waiting = await waitFor('the job to wait for a downloader', () => {
    const row = downloads.findById(id)
    return row?.waiting_reason === 'downloader_missing' && row
  })
  assert.equal(waiting.status, 'pending')
  assert.equal(waiting.retry_count, 0)
  const status = (await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
  assert.equal(status.waiting_reason, 'downloader_missing')
  await waitFor('a failed first check', async () => (await tools.status('yt-dlp')).last_check_ok === false)
  assert.equal(releases.downloads(ASSET), 0)
  assert.equal(downloads.findById(id)?.status, 'pending', 'still waiting, never tried')

  await releases.setOffline(false)
  const done = await waitFor('the download once the managed copy is there', () => {
    const row = downloads.findById(id)
    return (row?.status === 'completed' || row?.status === 'failed') && row
  }, 90_000)
  assert.equal(done.status, 'completed', done.error_message ?? '')
  assert.equal(done.waiting_reason, null)
  assert.equal(done.retry_count, 0)
  assert.equal(done.downloader, 'yt-dlp')
  assert.equal(tools.commandFor('yt-dlp').kind, 'managed')
  assert.equal(tools.commandFor('yt-dlp').version, NEW_VERSION)
  assert.equal(releases.downloads(ASSET), 1)
  const after = (await app.inject({ url: '/api/v1/health' })).json()
  assert.equal(after.downloader.available, true)
  assert.equal(after.downloader.managed, true)
})
