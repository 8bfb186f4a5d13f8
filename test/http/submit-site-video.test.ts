// Dedupe at submission by the post id the link shows (SPEC §2): another spelling of the same post
// answers 200 with the first download_id and "duplicate": true.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import { auth, buildTestApp } from '../helpers/test-app.js'

type App = Awaited<ReturnType<typeof buildTestApp>>['app']
const submit = (app: App, url: string) => app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })

test('two spellings of one TikTok post and of one Instagram post are one download each', async (t) => {
  const { app, downloads } = await buildTestApp(t)
  const first = await submit(app, 'https://www.tiktok.com/@anna/video/7300000000000000001?_r=1&lang=de')
  assert.equal(first.statusCode, 201)
  for (const url of ['https://m.tiktok.com/@someone-else/video/7300000000000000001/', 'https://www.tiktok.com/@anna/photo/7300000000000000001']) {
    const again = await submit(app, url)
    assert.equal(again.statusCode, 200, url)
    assert.equal(again.json().download_id, first.json().download_id)
    assert.equal(again.json().duplicate, true)
  }
  assert.equal(downloads.findById(first.json().download_id)?.site_video_key, 'tiktok:7300000000000000001')

  const reel = await submit(app, 'https://www.instagram.com/reel/C3xYz9aLmNo/?igsh=abc')
  const post = await submit(app, 'https://www.instagram.com/natgeo/p/C3xYz9aLmNo/')
  assert.equal(post.statusCode, 200)
  assert.equal(post.json().download_id, reel.json().download_id)

  const other = await submit(app, 'https://www.tiktok.com/@anna/video/7300000000000000002')
  assert.equal(other.statusCode, 201, 'another id is another download')
})

test('a completed short link that turned out to be the post makes the long link a duplicate', async (t) => {
  const { app, db } = await buildTestApp(t)
  const short = await submit(app, 'https://vm.tiktok.com/ZMh3abcde/')
  assert.equal(short.statusCode, 201)
  const jobs = createJobsRepository(db)
  const now = new Date().toISOString()
  assert.equal((await jobs.claimNext(now))?.id, short.json().download_id)
  const file = { media: 'video' as const, filename: 'a.mp4', file_path: 'tiktok.com/anna/a.mp4', file_size: 1, content_type: 'video/mp4', width: null, height: null, duration_seconds: null }
  assert.ok(await jobs.completeWithFiles(short.json().download_id, { title: 't', uploader: 'anna', duration_seconds: 1, thumbnail_url: null, extractor: 'TikTok', video_id: '7300000000000000001', downloader: 'yt-dlp', files: [file] }, now))

  const long = await submit(app, 'https://www.tiktok.com/@anna/video/7300000000000000001')
  assert.equal(long.statusCode, 200)
  assert.equal(long.json().download_id, short.json().download_id)
  assert.equal(long.json().duplicate, true)
})

test('a failed download of the post does not block a new one; dedupe off stores every submission', async (t) => {
  const { app, db } = await buildTestApp(t)
  const first = await submit(app, 'https://www.instagram.com/p/C3xYz9aLmNo/')
  const jobs = createJobsRepository(db)
  const now = new Date().toISOString()
  await jobs.claimNext(now)
  await jobs.fail(first.json().download_id, { code: 'not_found', message: 'gone' }, now)
  assert.equal((await submit(app, 'https://www.instagram.com/reel/C3xYz9aLmNo/')).statusCode, 201)

  const off = await buildTestApp(t, { config: { downloads: { deduplicate: false } } })
  assert.equal((await submit(off.app, 'https://www.instagram.com/p/C3xYz9aLmNo/')).statusCode, 201)
  assert.equal((await submit(off.app, 'https://www.instagram.com/reel/C3xYz9aLmNo/')).statusCode, 201)
})
