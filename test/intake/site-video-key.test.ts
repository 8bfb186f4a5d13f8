// The post ids links show, on links as phones share them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { siteVideoId } from '../../src/intake/site-video-key.js'

test('TikTok video and photo links give the numeric id, whatever the host or user in the path', () => {
  const cases: Array<[string, string]> = [
    ['https://www.tiktok.com/@scout2015/video/6718335390845095173', 'tiktok:6718335390845095173'],
    ['https://www.tiktok.com/@scout2015/video/6718335390845095173?is_from_webapp=1&sender_device=pc', 'tiktok:6718335390845095173'],
    ['https://m.tiktok.com/@someone.else/video/6718335390845095173/', 'tiktok:6718335390845095173'],
    ['https://www.tiktok.com/@anna_b/photo/7301234567890123456?lang=en', 'tiktok:7301234567890123456'],
    ['https://m.tiktok.com/v/6718335390845095173.html', 'tiktok:6718335390845095173'],
  ]
  for (const [url, key] of cases) assert.equal(siteVideoId(url)?.key, key, url)
  assert.deepEqual(siteVideoId('https://www.tiktok.com/@anna_b/photo/7301234567890123456'), { key: 'tiktok:7301234567890123456', extractor: 'TikTok', videoId: '7301234567890123456' })
})

test('Instagram /p/, /reel/, /reels/, /tv/ (also behind a user name) give the short code', () => {
  const cases: Array<[string, string]> = [
    ['https://www.instagram.com/p/C3xYz9aLmNo/', 'instagram:C3xYz9aLmNo'],
    ['https://www.instagram.com/p/C3xYz9aLmNo/?igsh=MWQ1ZGUxMzBkMA==', 'instagram:C3xYz9aLmNo'],
    ['https://instagram.com/reel/C3xYz9aLmNo', 'instagram:C3xYz9aLmNo'],
    ['https://www.instagram.com/reels/C3xYz9aLmNo/', 'instagram:C3xYz9aLmNo'],
    ['https://www.instagram.com/tv/B_-aZ09xy1/', 'instagram:B_-aZ09xy1'],
    ['https://www.instagram.com/natgeo/p/C3xYz9aLmNo/', 'instagram:C3xYz9aLmNo'],
  ]
  for (const [url, key] of cases) assert.equal(siteVideoId(url)?.key, key, url)
  assert.equal(siteVideoId('https://www.instagram.com/reel/C3xYz9aLmNo/')?.extractor, 'Instagram')
})

test('links that do not show a post id have none: short links, profiles, other sites, look-alike hosts', () => {
  for (const url of [
    'https://vm.tiktok.com/ZMh3abcde/',
    'https://vt.tiktok.com/ZSabc123/',
    'https://www.tiktok.com/@scout2015',
    'https://www.tiktok.com/tag/cats',
    'https://www.instagram.com/natgeo/',
    'https://www.instagram.com/stories/natgeo/3301234567890123456/',
    'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    'https://nottiktok.com/@a/video/6718335390845095173',
    'https://tiktok.com.evil.example/@a/video/6718335390845095173',
    'http://127.0.0.1:8080/p/C3xYz9aLmNo/',
    'not a url',
  ]) {
    assert.equal(siteVideoId(url), undefined, url)
  }
})
