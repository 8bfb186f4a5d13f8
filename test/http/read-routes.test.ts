import assert from 'node:assert/strict'
import { test } from 'node:test'
import { auth, buildTestApp, idleProbes } from '../helpers/test-app.js'

async function submitMany(app: Awaited<ReturnType<typeof buildTestApp>>['app'], urls: string[], clientId = 'phone') {
  const ids: string[] = []
  for (const url of urls) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url, client_id: clientId } })
    assert.equal(res.statusCode, 201, res.body)
    ids.push(res.json().download_id)
  }
  return ids
}

test('GET /api/v1/status/{id}: the full download object, 404 and 400', async (t) => {
  const { app } = await buildTestApp(t)
  const [id] = await submitMany(app, ['https://vm.tiktok.com/ZM123/'])
  const res = await app.inject({ url: `/api/v1/status/${id}`, headers: auth })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  const keys = ['download_id', 'url', 'client_id', 'status', 'submitted_at', 'updated_at', 'started_at', 'completed_at',
    'retry_count', 'next_attempt_at', 'error_code', 'error_message', 'waiting_reason', 'progress', 'kind', 'files',
    'filename', 'file_path', 'file_size', 'file_url', 'title', 'uploader', 'duration_seconds', 'thumbnail_url', 'extractor',
    'video_id', 'downloader', 'duplicate_of']
  assert.deepEqual(Object.keys(body).sort(), keys.sort())
  assert.deepEqual(body.progress, { percent: null, downloaded_bytes: null, total_bytes: null, speed_bps: null, eta_seconds: null })
  assert.equal(body.status, 'pending')
  assert.equal(body.file_url, null)
  assert.deepEqual(body.files, [])
  for (const absent of ['kind', 'error_code', 'waiting_reason', 'downloader', 'duplicate_of']) assert.equal(body[absent], null, absent)
  assert.equal(body.retry_count, 0)

  const missing = await app.inject({ url: '/api/v1/status/4f1d3c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', headers: auth })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json().error.code, 'not_found')
  for (const bad of ['not-a-uuid', '1234', `${id}x`, "' OR 1=1 --"]) {
    const res = await app.inject({ url: `/api/v1/status/${encodeURIComponent(bad)}`, headers: auth })
    assert.equal(res.statusCode, 400, bad)
    assert.equal(res.json().error.code, 'invalid_download_id')
  }
  assert.equal((await app.inject({ url: `/api/v1/status/${id}` })).statusCode, 401)
})

test('GET /api/v1/history: newest first, paging, filters, q, total', async (t) => {
  const { app, db } = await buildTestApp(t)
  const urls = Array.from({ length: 7 }, (_, i) => `https://www.tiktok.com/@user/video/${7300000000000000000n + BigInt(i)}`)
  const ids = await submitMany(app, urls.slice(0, 5), 'alice')
  const bobIds = await submitMany(app, urls.slice(5), 'bob')
  db.prepare(`UPDATE downloads SET status = 'failed', title = 'Cat 100% fun_stuff' WHERE id = ?`).run(ids[0])

  const page = await app.inject({ url: '/api/v1/history?limit=3', headers: auth })
  assert.equal(page.statusCode, 200)
  const body = page.json()
  assert.equal(body.total, 7)
  assert.equal(body.limit, 3)
  assert.equal(body.offset, 0)
  assert.deepEqual(body.downloads.map((d: { download_id: string }) => d.download_id), [bobIds[1], bobIds[0], ids[4]])

  const next = (await app.inject({ url: '/api/v1/history?limit=3&offset=6', headers: auth })).json()
  assert.deepEqual(next.downloads.map((d: { download_id: string }) => d.download_id), [ids[0]])

  const defaults = (await app.inject({ url: '/api/v1/history', headers: auth })).json()
  assert.equal(defaults.limit, 50)
  assert.equal(defaults.downloads.length, 7)

  const bob = (await app.inject({ url: '/api/v1/history?client_id=bob', headers: auth })).json()
  assert.equal(bob.total, 2)
  const failed = (await app.inject({ url: '/api/v1/history?status=failed', headers: auth })).json()
  assert.equal(failed.total, 1)
  assert.equal(failed.downloads[0].download_id, ids[0])
  const pending = (await app.inject({ url: '/api/v1/history?status=pending&client_id=alice', headers: auth })).json()
  assert.equal(pending.total, 4)

  // q matches url or title, with LIKE wildcards taken literally
  const byTitle = (await app.inject({ url: `/api/v1/history?q=${encodeURIComponent('100% fun_')}`, headers: auth })).json()
  assert.equal(byTitle.total, 1)
  assert.equal((await app.inject({ url: '/api/v1/history?q=%25', headers: auth })).json().total, 1)
  assert.equal((await app.inject({ url: '/api/v1/history?q=7300000000000000006', headers: auth })).json().total, 1)
  assert.equal((await app.inject({ url: '/api/v1/history?q=nomatch', headers: auth })).json().total, 0)
})

test('GET /api/v1/history: out-of-range or unknown values are 422', async (t) => {
  const { app } = await buildTestApp(t)
  for (const query of ['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x',
    'status=done', 'status=', 'client_id=bad%20id', 'q=', `q=${'a'.repeat(201)}`]) {
    const res = await app.inject({ url: `/api/v1/history?${query}`, headers: auth })
    assert.equal(res.statusCode, 422, `${query}: ${res.body}`)
    assert.equal(res.json().error.code, 'invalid_query')
  }
})

test('GET /api/v1/health needs no key and reports every section', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  await submitMany(app, ['https://www.tiktok.com/@a/video/1'])
  const res = await app.inject({ url: '/api/v1/health' })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.status, 'healthy')
  for (const section of ['version', 'uptime_seconds', 'timestamp', 'database', 'queue', 'worker', 'disk', 'downloader', 'checks']) {
    assert.ok(section in body, section)
  }
  assert.deepEqual(body.database, { connected: true, total_downloads: 1 })
  assert.deepEqual(body.queue, { pending: 1, downloading: 0, completed: 0, failed: 0 })
  assert.doesNotMatch(res.body, /\/tmp\/|vds-test|test-admin-key/)
})

test('health is degraded with reasons when yt-dlp is missing, 503 when the database is gone', async (t) => {
  const { app, db } = await buildTestApp(t, {
    probes: (config) => ({
      worker: () => ({ running: true, active: 0, max_concurrent: config.downloads.max_concurrent, paused: 'ytdlp_missing' }),
      disk: async () => ({ free_bytes: 1, min_free_bytes: 500 * 2 ** 20, ok: false }),
      downloader: async () => ({ available: false, version: null }),
    }),
  })
  const degraded = await app.inject({ url: '/api/v1/health' })
  assert.equal(degraded.statusCode, 200)
  assert.equal(degraded.json().status, 'degraded')
  assert.deepEqual(degraded.json().checks.map((c: { name: string }) => c.name).sort(), ['disk', 'downloader'])
  db.close()
  const down = await app.inject({ url: '/api/v1/health' })
  assert.equal(down.statusCode, 503)
  assert.equal(down.json().status, 'unhealthy')
  assert.equal(down.json().database.connected, false)
})

test('/openapi.json (open, SPEC §2 v2) lists the routes with their schemas; unknown routes are JSON 404s', async (t) => {
  const { app } = await buildTestApp(t)
  const spec = (await app.inject({ url: '/openapi.json' })).json()
  assert.match(spec.openapi, /^3\./)
  for (const path of ['/api/v1/download', '/api/v1/status/{download_id}', '/api/v1/history', '/api/v1/health']) {
    assert.ok(spec.paths[path], path)
  }
  assert.ok(spec.paths['/api/v1/download'].post.requestBody)
  const docs = await app.inject({ url: '/docs', headers: auth })
  assert.ok([200, 302].includes(docs.statusCode))
  const missing = await app.inject({ url: '/nope', headers: auth })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json().error.code, 'not_found')
  assert.equal(missing.headers['x-content-type-options'], 'nosniff')
})

test('a wrong method on an existing path is 405 with Allow; a submit key gets it too, not 403', async (t) => {
  const { app } = await buildTestApp(t)
  const get = await app.inject({ url: '/api/v1/download', headers: auth })
  assert.equal(get.statusCode, 405)
  assert.equal(get.headers.allow, 'POST')
  assert.equal(get.json().error.code, 'method_not_allowed')
  const put = await app.inject({ method: 'PUT', url: '/api/v1/downloads/4f1d3c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', headers: auth })
  assert.equal(put.statusCode, 405)
  assert.equal(put.headers.allow, 'DELETE')
  assert.equal((await app.inject({ url: '/api/v1/nothing-here', headers: auth })).statusCode, 404)
  // Without a key nothing is revealed about which paths exist.
  assert.equal((await app.inject({ url: '/api/v1/download' })).statusCode, 401)
})

test('a missing file under /docs/static/ is 404 not_found, not 405 (the route exists for GET)', async (t) => {
  const { app } = await buildTestApp(t)
  const present = await app.inject({ url: '/docs/static/index.css', headers: auth })
  assert.equal(present.statusCode, 200, 'the control: a file that is there')
  const missing = await app.inject({ url: '/docs/static/no-such-file.js', headers: auth })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json().error.code, 'not_found')
  assert.equal(missing.headers.allow, undefined)
})
