import assert from 'node:assert/strict'
import { test } from 'node:test'
import { firstDownloader, galleryDlMayHelp, isTikTokSlideshowSound } from '../../src/jobs/routing.js'

test('photo posts and direct images go to gallery-dl first, everything else to yt-dlp', () => {
  const cases: [string, string][] = [
    ['https://www.tiktok.com/@anna/photo/7300000000000000001', 'gallery-dl'],
    ['https://www.tiktok.com/@anna/photo/7300000000000000001?is_from_webapp=1&sender_device=pc', 'gallery-dl'],
    ['https://m.tiktok.com/@anna/photo/7300000000000000001', 'gallery-dl'],
    ['https://www.tiktok.com/@anna/video/7300000000000000001', 'yt-dlp'],
    ['https://vm.tiktok.com/ZMabcdef/', 'yt-dlp'],
    ['https://www.instagram.com/p/CqAbCdEfGhI/', 'yt-dlp'],
    ['https://www.instagram.com/reel/CqAbCdEfGhI/', 'yt-dlp'],
    ['https://cdn.example.org/photos/cat.JPG', 'gallery-dl'],
    ['https://cdn.example.org/photos/cat.webp?size=large', 'gallery-dl'],
    ['https://cdn.example.org/clip.mp4', 'yt-dlp'],
    ['https://example.org/photo/123', 'yt-dlp'],
  ]
  for (const [url, expected] of cases) assert.equal(firstDownloader(url), expected, url)
})

test("yt-dlp's real 'unsupported' and 'no video' texts hand the link to gallery-dl", () => {
  // yt-dlp 2026.10.26 instagram.py: raise_no_formats('There is no video in this post', expected=True)
  assert.ok(galleryDlMayHelp('download_failed', 'ERROR: [Instagram] CqAbCdEfGhI: There is no video in this post\n'))
  assert.ok(galleryDlMayHelp('unsupported_url', 'ERROR: Unsupported URL: https://www.tiktok.com/@anna/photo/7300000000000000001\n'))
  assert.ok(galleryDlMayHelp('no_video_formats', 'ERROR: [generic] x: No video formats found!\n'))
  assert.ok(!galleryDlMayHelp('not_found', 'ERROR: [TikTok] 7300000000000000001: HTTP Error 404: Not Found\n'))
  assert.ok(!galleryDlMayHelp('login_required', 'ERROR: [Instagram] CqAbCdEfGhI: Requested content is not available, rate-limit reached or login required. Use --cookies\n'))
})

test('a TikTok post that came as sound only is a slideshow', () => {
  assert.ok(isTikTokSlideshowSound('TikTok', ['audio']))
  assert.ok(!isTikTokSlideshowSound('TikTok', ['video']))
  assert.ok(!isTikTokSlideshowSound('generic', ['audio']))
  assert.ok(!isTikTokSlideshowSound(null, []))
})
