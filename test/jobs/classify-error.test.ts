// The classifier against real yt-dlp error texts. The fixture-server lines were captured by running
// yt-dlp 2023.03.04 here against test/fixtures/media-server.ts; the others are texts yt-dlp prints
// for the sites named (the TikTok, Instagram and YouTube extractors).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyYtDlpError, lastErrorLine, timeoutFailure } from '../../src/jobs/classify-error.js'

const REPORT = '; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U'
const captured = (status: string) =>
  `WARNING: [generic] Falling back on generic information extractor\nERROR: [generic] None: Unable to download webpage: HTTP Error ${status} (caused by <HTTPError ${status.replace(': ', ": '")}'>)${REPORT}\n`

const CASES: [stderr: string, kind: 'permanent' | 'transient', code: string][] = [
  // captured from the fixture server
  [captured('404: Not Found'), 'permanent', 'not_found'],
  [captured('410: Gone'), 'permanent', 'not_found'],
  [captured('500: Internal Server Error'), 'transient', 'server_error'],
  [captured('503: Service Unavailable'), 'transient', 'server_error'],
  [captured('429: Too Many Requests'), 'transient', 'rate_limited'],
  [captured('401: Unauthorized'), 'permanent', 'login_required'],
  [captured('403: Forbidden'), 'transient', 'http_forbidden'],
  ["ERROR: [generic] None: Unable to download webpage: <urlopen error [Errno 111] Connection refused> (caused by URLError(ConnectionRefusedError(111, 'Connection refused')))", 'transient', 'connection_failed'],
  ["ERROR: [generic] None: Unable to download webpage: <urlopen error [Errno -2] Name or service not known> (caused by URLError(gaierror(-2, 'Name or service not known')))", 'transient', 'dns_failed'],
  ['Usage: yt-dlp [OPTIONS] URL [URL...]\n\nyt-dlp: error: no such option: --frobnicate\n', 'permanent', 'invalid_options'],
  // known texts from real sites
  ['ERROR: Unsupported URL: https://example.com/', 'permanent', 'unsupported_url'],
  ['ERROR: [TikTok] 7123: Video not available, status code 10204', 'permanent', 'video_unavailable'],
  ['ERROR: [Instagram] abc: Requested content is not available, rate-limit reached or login required. Use --cookies, --cookies-from-browser, --username and --password, --netrc-cmd, or --netrc (instagram) to provide account credentials', 'permanent', 'login_required'],
  ["ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found (caused by <HTTPError 404: 'Not Found'>)", 'permanent', 'not_found'],
  ["ERROR: [youtube] xyz: Private video. Sign in if you've been granted access to this video", 'permanent', 'private_video'],
  ['ERROR: [youtube] xyz: Video unavailable. This video has been removed by the uploader', 'permanent', 'video_unavailable'],
  ['ERROR: [youtube] xyz: Video unavailable. This video is no longer available due to a copyright claim by Someone', 'permanent', 'copyright_blocked'],
  ['ERROR: [youtube] xyz: The uploader has not made this video available in your country', 'permanent', 'geo_restricted'],
  ["ERROR: [youtube] xyz: Sign in to confirm your age. This video may be inappropriate for some users.", 'permanent', 'login_required'],
  ['ERROR: [TikTok] 7xx: No video formats found!', 'permanent', 'no_video_formats'],
  ['ERROR: unable to download video data: HTTP Error 403: Forbidden', 'transient', 'http_forbidden'],
  ['ERROR: [TikTok] 7xx: Unable to download webpage: <urlopen error [Errno -3] Temporary failure in name resolution>', 'transient', 'dns_failed'],
  ['ERROR: unable to download video data: HTTP Error 429: Too Many Requests', 'transient', 'rate_limited'],
  ['ERROR: unable to download video data: HTTP Error 503: Service Unavailable', 'transient', 'server_error'],
  ['ERROR: [download] Got error: Read timed out.', 'transient', 'network_timeout'],
  ['ERROR: [Instagram] abc: Unable to download JSON metadata: [Errno 104] Connection reset by peer', 'transient', 'connection_failed'],
  ['ERROR: [download] Got error: 1024 bytes read, 2048 more expected (IncompleteRead)', 'transient', 'incomplete_download'],
  ['ERROR: [TikTok] 7xx: Unable to download webpage: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed>', 'transient', 'tls_error'],
]

test('real yt-dlp errors are classified as permanent or transient with a stable code', () => {
  for (const [stderr, kind, code] of CASES) {
    const verdict = classifyYtDlpError(stderr, stderr.includes('Usage:') ? 2 : 1)
    assert.deepEqual([verdict.kind, verdict.code], [kind, code], stderr)
    assert.ok(verdict.message.length > 20 && !verdict.message.includes('please report'), verdict.message)
  }
})

test('unknown errors are transient and keep the error line for a person', () => {
  const verdict = classifyYtDlpError(`WARNING: something\nERROR: [foo] bar: The extractor exploded${REPORT}\n`, 1)
  assert.equal(verdict.kind, 'transient')
  assert.equal(verdict.code, 'download_failed')
  assert.equal(verdict.message, 'The download failed: ERROR: [foo] bar: The extractor exploded')
  assert.match(classifyYtDlpError('', null).message, /stopped by a signal/)
  assert.match(classifyYtDlpError('', 3).message, /exited with code 3/)
})

test('lastErrorLine prefers the last ERROR line and drops the bug-report advice', () => {
  assert.equal(lastErrorLine(`ERROR: first\nERROR: second${REPORT}\nsome trailing noise\n`), 'ERROR: second')
  assert.equal(lastErrorLine('only noise\n'), 'only noise')
})

test('our own timeout is transient and names the setting', () => {
  const verdict = timeoutFailure(300)
  assert.equal(verdict.kind, 'transient')
  assert.equal(verdict.code, 'timeout')
  assert.match(verdict.message, /300 s \(downloads\.timeout_seconds\)/)
})

test('"Requested format is not available" points at ytdlp.format, not at a removed video', () => {
  const verdict = classifyYtDlpError('ERROR: [generic] video: Requested format is not available. Use --list-formats for a list of available formats', 1)
  assert.equal(verdict.kind, 'permanent')
  assert.equal(verdict.code, 'no_video_formats')
  assert.match(verdict.message, /ytdlp\.format/)
})
