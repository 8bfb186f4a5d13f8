// gallery-dl's own texts, as 1.25.3 (Debian 12) and 1.32.18 print them: the download-side ones
// captured from real runs against loopback servers, the site-side ones copied from the
// extractors' sources (instagram.py, tiktok.py, exception.py, job.py).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyGalleryDlError } from '../../../src/jobs/gallery-dl/classify-error.js'

const failed = (warning: string, name = '127.0.0.1:18933_x.jpg') => `${warning}\n[download][error] Failed to download ${name}\n`

const CASES: [string, string, number, string, 'permanent' | 'transient'][] = [
  ['unsupported (both)', "[gallery-dl][error] Unsupported URL 'http://127.0.0.1:18931/page'\n", 64, 'unsupported_url', 'permanent'],
  ['404 file (both)', failed("[downloader.http][warning] '404 File not found' for 'http://127.0.0.1:18931/missing.jpg'"), 4, 'not_found', 'permanent'],
  ['410 file (both)', failed("[downloader.http][warning] '410 Gone' for 'http://127.0.0.1:18933/status/410/x.jpg'"), 4, 'not_found', 'permanent'],
  ['500 file (both)', failed("[downloader.http][warning] '500 Internal Server Error' for 'http://127.0.0.1:18933/status/500/x.jpg' (1/1)"), 4, 'server_error', 'transient'],
  ['429 file (both)', failed("[downloader.http][warning] '429 Too Many Requests' for 'http://127.0.0.1:18933/status/429/x.jpg'"), 4, 'rate_limited', 'transient'],
  ['403 file (both)', failed("[downloader.http][warning] '403 Forbidden' for 'http://127.0.0.1:18933/status/403/x.jpg'"), 4, 'http_forbidden', 'transient'],
  [
    'refused (1.25.3)',
    failed("[downloader.http][warning] HTTPConnectionPool(host='127.0.0.1', port=18932): Max retries exceeded with url: /x.jpg (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f89492b35d0>: Failed to establish a new connection: [Errno 111] Connection refused')) (5/5)"),
    4, 'connection_failed', 'transient',
  ],
  ['refused (1.32.18)', failed('[downloader.http][warning] NewConnectionError: Failed to establish a new connection: [Errno 111] Connection refused (5/5)'), 4, 'connection_failed', 'transient'],
  [
    'dns (1.25.3)',
    failed("[downloader.http][warning] HTTPConnectionPool(host='nonexistent.invalid', port=80): Max retries exceeded with url: /x.jpg (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f2dd31e33d0>: Failed to establish a new connection: [Errno -2] Name or service not known')) (1/1)"),
    4, 'dns_failed', 'transient',
  ],
  ['dns (1.32.18)', failed("[downloader.http][warning] NameResolutionError: Failed to resolve 'nonexistent.invalid' ([Errno -2] Name or service not known) (1/1)"), 4, 'dns_failed', 'transient'],
  ['instagram login wall (both)', '[instagram][error] HTTP redirect to login page (https://www.instagram.com/accounts/login/)\n', 4, 'login_required', 'permanent'],
  ['instagram profile (1.25.3)', '[instagram][error] AuthorizationError: Login required to access this profile\n', 16, 'login_required', 'permanent'],
  ['instagram private (1.25.3)', "[instagram][error] anna's posts are private\n", 0, 'private_video', 'permanent'],
  ['instagram api (1.32.18)', "[instagram][error] Failed to load API data ('Please wait a few minutes before you try again.')\n", 4, 'site_changed', 'permanent'],
  ['instagram user (1.32.18)', '[instagram][error] NotFoundError: Requested user could not be found\n', 8, 'not_found', 'permanent'],
  ['tiktok login (1.32.18)', '[tiktok][error] https://www.tiktok.com/@anna/video/7300000000000000001: Login required to access this post\n', 0, 'login_required', 'permanent'],
  ['tiktok removed (1.32.18)', '[tiktok][error] https://www.tiktok.com/@anna/video/7300000000000000001: Requested post not available\n', 0, 'not_found', 'permanent'],
  ['tiktok region (1.32.18)', '[tiktok][error] https://www.tiktok.com/@anna/video/7300000000000000001: Region locked - Try downloading with a VPN/proxy connection\n', 0, 'geo_restricted', 'permanent'],
  ['tiktok changed (1.32.18)', "[tiktok][error] https://www.tiktok.com/@anna/photo/7300000000000000001: Failed to extract post (KeyError: 'webapp.video-detail')\n", 0, 'site_changed', 'permanent'],
  [
    'unexpected (both)',
    "[instagram][error] An unexpected error occurred: KeyError - 'items'. Please run gallery-dl again with the --verbose flag, copy its output and report this issue on https://codeberg.org/mikf/gallery-dl/issues .\n",
    1, 'site_changed', 'permanent',
  ],
  ['bad option (1.25.3)', 'usage: gallery-dl [OPTION]... URL...\ngallery-dl: error: unrecognized arguments: --bogus\n', 2, 'invalid_options', 'permanent'],
  ['bad option (1.32.18)', 'Usage: __main__.py [OPTIONS] URL [URL...]\n__main__.py: error: unrecognized arguments: --bogus\n', 2, 'invalid_options', 'permanent'],
]

for (const [name, stderr, exitCode, code, kind] of CASES) {
  test(`gallery-dl: ${name} → ${code}`, () => {
    const verdict = classifyGalleryDlError(stderr, exitCode)
    assert.equal(verdict.code, code)
    assert.equal(verdict.kind, kind)
    assert.ok(verdict.message.length > 20)
  })
}

test('an unknown gallery-dl failure is retried and quotes its last error', () => {
  const verdict = classifyGalleryDlError('[foo][error] something new happened\n', 1)
  assert.deepEqual([verdict.kind, verdict.code], ['transient', 'download_failed'])
  assert.match(verdict.message, /something new happened/)
  assert.match(classifyGalleryDlError('', null).message, /stopped by a signal/)
})

test('a file name in the error line cannot pose as the cause', () => {
  const stderr = failed("[downloader.http][warning] '503 Service Unavailable' for 'http://x/Login required.jpg'", 'x_Login required.jpg')
  assert.equal(classifyGalleryDlError(stderr, 4).code, 'server_error')
})
