// The yt-dlp command line and the lines we parse back, without running yt-dlp.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../src/core/config.js'
import { outputTemplate } from '../../src/jobs/output-paths.js'
import { retryDelayMs } from '../../src/jobs/retry-policy.js'
import { buildYtDlpArgs, buildYtDlpPostArgs } from '../../src/jobs/ytdlp/args.js'
import { parseProgressEntry, parseProgressLine, parseResultLine } from '../../src/jobs/ytdlp/output.js'

test('progress lines parse into numbers, NA into null, percent from total or estimate', () => {
  // printed by yt-dlp 2023.03.04 for the fixture server's files
  assert.deepEqual(parseProgressLine('[vds-progress] 1024 30799 NA NA NA'), {
    percent: 3.3,
    downloaded_bytes: 1024,
    total_bytes: 30799,
    speed_bps: null,
    eta_seconds: null,
  })
  assert.deepEqual(parseProgressLine('[vds-progress] 478268 24841178 NA 206696.8907051275 117'), {
    percent: 1.9,
    downloaded_bytes: 478268,
    total_bytes: 24841178,
    speed_bps: 206697,
    eta_seconds: 117,
  })
  assert.equal(parseProgressLine('[vds-progress] 500 NA 1000 10 NA')?.percent, 50, 'estimate stands in for the total')
  assert.equal(parseProgressLine('[vds-progress] 2000 1000 NA NA NA')?.percent, 100, 'never above 100')
  assert.equal(parseProgressLine('[vds-progress] 5 NA NA NA NA')?.percent, null)
  assert.equal(parseProgressLine('[download] Destination: x.mp4'), undefined)
  assert.equal(parseProgressLine('[vds-progress] 1 2'), undefined)
})

test('the result line gives the file and its facts; absent keys are null', () => {
  const line = '[vds-result] {"filepath": "/d/Fixture Clip [video] abcd1234.mp4", "title": "Fixture Clip", "uploader": "127.0.0.1:35735", "thumbnail": "http://127.0.0.1:35735/thumb.jpg", "extractor": "generic", "id": "video"}'
  assert.deepEqual(parseResultLine(line), {
    filepath: '/d/Fixture Clip [video] abcd1234.mp4',
    title: 'Fixture Clip',
    uploader: '127.0.0.1:35735',
    duration: null,
    thumbnail: 'http://127.0.0.1:35735/thumb.jpg',
    extractor: 'generic',
    id: 'video',
    playlist_id: null,
    playlist_title: null,
    playlist_uploader: null,
    upload_date: null,
    width: null,
    height: null,
  })
  assert.equal(parseResultLine('[vds-result] {"duration": 3.5, "filepath": "/d/a.mp4", "id": 7123}')?.id, '7123')
  assert.equal(parseResultLine('[vds-result] {"title": "no path"}'), undefined)
  assert.equal(parseResultLine('[vds-result] not json'), undefined)
})

test('the command line: no shell, confined output, owner options before --, the URL last', () => {
  const config = parseConfig({
    ytdlp: { cookies_file: '/etc/vds/cookies.txt', rate_limit: '2M', extra_args: ['--socket-timeout', '10'] },
  })
  const jobId = '8c6f1d2e-0000-4000-8000-000000000000'
  const url = 'https://www.tiktok.com/@a/video/1?x=--exec'
  const args = buildYtDlpArgs({ url, jobId, ytdlp: config.ytdlp, downloadsDir: '/srv/dl', userAgent: 'UA/1', canMerge: true })

  assert.deepEqual(args.slice(-2), ['--', url])
  assert.equal(args.indexOf('--'), args.length - 2)
  for (const flag of ['--ignore-config', '--no-playlist', '--newline', '--no-colors']) assert.ok(args.includes(flag), flag)
  const after = (flag: string) => args[args.indexOf(flag) + 1]
  assert.equal(after('--cookies'), '/etc/vds/cookies.txt')
  assert.equal(after('--user-agent'), 'UA/1')
  assert.equal(after('--limit-rate'), '2M')
  assert.equal(after('--merge-output-format'), 'mp4')
  assert.equal(after('--format'), config.ytdlp.format)
  assert.equal(after('--output'), outputTemplate(jobId))
  assert.ok(args.includes('home:/srv/dl') && args.includes(`temp:/srv/dl/.incomplete/${jobId}`))
  assert.ok(args.indexOf('--socket-timeout') < args.indexOf('--'))
  assert.match(outputTemplate(jobId), /^%\(title\)\.80B \[%\(id\)\.60B\] 8c6f1d2e\.%\(ext\)s$/)

  const plain = buildYtDlpArgs({ url, jobId, ytdlp: parseConfig({}).ytdlp, downloadsDir: '/srv/dl', userAgent: null, canMerge: false })
  for (const flag of ['--cookies', '--user-agent', '--limit-rate', '--merge-output-format']) assert.ok(!plain.includes(flag), flag)
  assert.equal(plain[plain.indexOf('--format') + 1], 'b[ext=mp4]/b', 'without ffmpeg, a single file')
})

test('retry delays follow the config with ±10% jitter, then run out', () => {
  const delays = [60, 300]
  assert.equal(retryDelayMs(0, delays, () => 0.5), 60_000)
  assert.equal(retryDelayMs(0, delays, () => 0), 54_000)
  assert.equal(retryDelayMs(1, delays, () => 0.75), 315_000)
  assert.equal(retryDelayMs(2, delays, () => 0.5), undefined)
  assert.equal(retryDelayMs(0, [], () => 0.5), undefined)
})

test('markers count only at the start of a line: a title containing one is not progress', () => {
  const result = `[vds-result] {"filepath": "/d/x.mp4", "title": "[vds-progress] 1 2 3 4 5", "uploader": null, "duration": 1, "thumbnail": null, "extractor": "generic", "id": "x"}`
  assert.equal(parseProgressLine(result), undefined)
  assert.equal(parseResultLine(result)?.title, '[vds-progress] 1 2 3 4 5')
  assert.equal(parseResultLine(`[download] title with [vds-result] {"filepath": "/etc/passwd"}`), undefined)
})

test('the post command: every entry of a post, a list left flat, the URL last; a second try takes the first of a list', () => {
  const config = parseConfig({ ytdlp: { extra_args: ['--socket-timeout', '10'] } })
  const url = 'https://www.instagram.com/p/C3xYz9aLmNo/?x=--exec'
  const base = { url, ytdlp: config.ytdlp, filesDir: '/w/files', tempDir: '/w/tmp', maxItems: 7, userAgent: null, canMerge: true, writeThumbnail: true, proxy: 'http://vds:token@127.0.0.1:40001' }
  const post = buildYtDlpPostArgs({ ...base, firstOfList: false })
  assert.deepEqual(post.slice(-2), ['--', url])
  assert.equal(post.indexOf('--'), post.length - 2)
  const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1]
  assert.ok(post.includes('--flat-playlist') && post.includes('--no-playlist') && post.includes('--ignore-config'))
  assert.equal(after(post, '--playlist-items'), '1:7')
  assert.ok(post.includes('home:/w/files') && post.includes('temp:/w/tmp'))
  assert.equal(after(post, '--convert-thumbnails'), 'jpg')
  assert.ok(post.indexOf('--socket-timeout') < post.indexOf('--'))
  const list = buildYtDlpPostArgs({ ...base, firstOfList: true, writeThumbnail: false })
  assert.ok(!list.includes('--flat-playlist') && !list.includes('--write-thumbnail'))
  assert.equal(after(list, '--playlist-items'), '1')
  assert.deepEqual(post.slice(-4, -2), ['--proxy', base.proxy], 'every post command goes through the egress proxy')
})

test("the egress proxy comes after the owner's extra_args, so an owner's --proxy cannot take yt-dlp around it", () => {
  const config = parseConfig({ ytdlp: { extra_args: ['--proxy', 'socks5://127.0.0.1:9050'] } })
  const proxy = 'http://vds:token@127.0.0.1:40001'
  const args = buildYtDlpPostArgs({ url: 'https://www.tiktok.com/@a/video/1', ytdlp: config.ytdlp, filesDir: '/w/files', tempDir: '/w/tmp', maxItems: 1, userAgent: null, canMerge: true, writeThumbnail: false, firstOfList: false, proxy })
  assert.deepEqual(args.slice(-4), ['--proxy', proxy, '--', 'https://www.tiktok.com/@a/video/1'])
  assert.ok(args.lastIndexOf('--proxy') > args.indexOf('socks5://127.0.0.1:9050'))
})

test("an album's progress lines say which entry they are about", () => {
  assert.deepEqual(parseProgressEntry('[vds-progress] 10 100 NA 5 1 2 3'), { index: 2, count: 3 })
  assert.equal(parseProgressEntry('[vds-progress] 10 100 NA 5 1 NA NA'), undefined, 'a single video')
  assert.equal(parseProgressEntry('[vds-progress] 10 100 NA 5 1'), undefined, 'an older template')
  assert.equal(parseProgressEntry('title [vds-progress] 1 2 3 4 5 1 2'), undefined)
})
