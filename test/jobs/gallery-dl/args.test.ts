import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../../src/core/config.js'
import { buildGalleryDlArgs } from '../../../src/jobs/gallery-dl/args.js'
import { postFacts } from '../../../src/jobs/gallery-dl/output.js'

const base = {
  url: '-https://www.tiktok.com/@anna/photo/7300000000000000001',
  galleryDl: parseConfig({ gallery_dl: { extra_args: ['--sleep', '1'] } }).gallery_dl,
  outputDir: '/srv/downloads/.incomplete/job/gallery-dl',
  maxItems: 7,
  cookiesFile: null,
  userAgent: null,
  rateLimit: null,
  proxy: 'http://vds:token@127.0.0.1:40001',
}

test('no config but ours, files only in the work folder, the URL alone after "--"', () => {
  const args = buildGalleryDlArgs(base)
  assert.equal(args[0], '--config-ignore')
  assert.deepEqual(args.slice(-2), ['--', base.url])
  assert.deepEqual(args.slice(-6, -4), ['--sleep', '1'], "the owner's extra args come before --")
  assert.equal(args[args.indexOf('--directory') + 1], base.outputDir)
  assert.equal(args[args.indexOf('--range') + 1], '1-7')
  assert.ok(args.includes('cache.file=null'))
  assert.deepEqual(args.slice(-4, -2), ['--proxy', base.proxy], 'always the egress proxy, last before --')
})

test('the downloader proxy, cookies, user agent and rate limit are passed when set', () => {
  const args = buildGalleryDlArgs({ ...base, proxy: 'http://127.0.0.1:40001', cookiesFile: '/data/cookies/tiktok.com.txt', userAgent: 'UA/1', rateLimit: '2M' })
  for (const [option, value] of [['--proxy', 'http://127.0.0.1:40001'], ['--cookies', '/data/cookies/tiktok.com.txt'], ['--user-agent', 'UA/1'], ['--limit-rate', '2M']]) {
    assert.equal(args[args.indexOf(option!) + 1], value)
    assert.ok(args.indexOf(option!) < args.indexOf('--'))
  }
  // After the owner's extra_args: gallery-dl takes the last --proxy, and the egress check must hold.
  assert.ok(args.indexOf('--proxy') > args.indexOf('--sleep'))
})

test("a post's facts from gallery-dl's TikTok and Instagram metadata", () => {
  // Field names as gallery-dl 1.32.18's tiktok.py and instagram.py write them.
  const tiktok = postFacts({ category: 'tiktok', id: '7300000000000000001', desc: 'Beach day\nmore', user: 'anna', date: '2026-11-30 10:00:00', title: 'Beach day' })
  assert.deepEqual(tiktok, { title: 'Beach day', uploader: 'anna', upload_date: '2026-11-30 10:00:00', video_id: '7300000000000000001', extractor: 'TikTok', duration_seconds: null })
  const instagram = postFacts({ category: 'instagram', post_shortcode: 'CqAbCdEfGhI', shortcode: 'CqXyZ', id: '301', description: 'Sunset', username: 'bob', date: '2026-11-29 08:00:00' })
  assert.deepEqual([instagram.video_id, instagram.uploader, instagram.extractor, instagram.title], ['CqAbCdEfGhI', 'bob', 'Instagram', 'Sunset'])
  assert.deepEqual(postFacts({}), { title: null, uploader: null, upload_date: null, video_id: null, extractor: null, duration_seconds: null })
})
