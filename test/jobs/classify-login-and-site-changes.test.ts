// Texts yt-dlp and gallery-dl print when a site changed (an update fixes it) or wants a login
// (cookies fix it), taken from their sources: yt-dlp's TikTok and Instagram extractors and
// common.py (_search_regex, raise_login_required with its cookies hint), gallery-dl's job.py
// error lines and its TikTok and Instagram extractors.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyYtDlpError } from '../../src/jobs/classify-error.js'

const REPORT = '; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U'
const COOKIES_HINT = '. Use --cookies-from-browser or --cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies'

const CASES: [stderr: string, kind: 'permanent' | 'transient', code: string][] = [
  // the site changed: permanent until a new release (no backoff retries)
  [`ERROR: [TikTok] 7234567890123456789: Unable to extract universal data for rehydration${REPORT}`, 'permanent', 'site_changed'],
  [`ERROR: [TikTok] 7234567890123456789: Unable to extract aweme detail info${REPORT}`, 'permanent', 'site_changed'],
  [`ERROR: [Instagram] CxYz123abc: Unable to extract video url${REPORT}`, 'permanent', 'site_changed'],
  [`ERROR: [instagram:user] natgeo: Unable to extract user id${REPORT}`, 'permanent', 'site_changed'],
  [`ERROR: [TikTok] 7234567890123456789: Unexpected response from webpage request${REPORT}`, 'permanent', 'site_changed'],
  [`ERROR: [TikTok] 7234567890123456789: Unable to solve JS challenge${REPORT}`, 'permanent', 'site_changed'],
  ['[instagram][error] Failed to parse JSON data:  JSONDecodeError: Expecting value: line 1 column 1 (char 0)', 'permanent', 'site_changed'],
  ['ERROR: Unsupported URL: https://www.instagram.com/explore/', 'permanent', 'unsupported_url'],
  ['ERROR: [generic] Unsupported URL: https://www.tiktok.com/discover/cats', 'permanent', 'unsupported_url'],
  // a login is needed, or the cookies stopped working: the job waits for cookies
  ['ERROR: [Instagram] CxYz123abc: Requested content is not available, rate-limit reached or login required. Use --cookies, --cookies-from-browser, --username and --password, --netrc-cmd, or --netrc (instagram) to provide account credentials', 'permanent', 'login_required'],
  [`WARNING: [Instagram] CxYz123abc: The provided Instagram account cookies are no longer valid\nERROR: [Instagram] CxYz123abc: Unable to extract shared data${REPORT}`, 'permanent', 'login_required'],
  [`ERROR: [Instagram] CxYz123abc: This content is only available for registered users who follow this account${COOKIES_HINT}`, 'permanent', 'login_required'],
  [`ERROR: [Instagram] CxYz123abc: The webpage request was redirected to the login page. You have exceeded the rate-limit for accessing posts anonymously${COOKIES_HINT}`, 'permanent', 'login_required'],
  [`ERROR: [TikTok] 7234567890123456789: TikTok is requiring login for access to this content${COOKIES_HINT}`, 'permanent', 'login_required'],
  [`ERROR: [TikTok] 7234567890123456789: You do not have permission to view this post. Log into an account that has access${COOKIES_HINT}`, 'permanent', 'login_required'],
  ['[instagram][error] HTTP redirect to login page (https://www.instagram.com/accounts/login/)', 'permanent', 'login_required'],
  ['[instagram][error] HTTP redirect to challenge page (https://www.instagram.com/challenge/)', 'permanent', 'login_required'],
  ["[tiktok][error] AuthorizationError: HTTP redirect to login page ('https://www.tiktok.com/login')", 'permanent', 'login_required'],
  ['[tiktok][error] https://www.tiktok.com/@someone/video/7234567890123456789: Login required to access this video', 'permanent', 'login_required'],
  ["[instagram][error] AuthRequired: 'cookies' needed to access this story", 'permanent', 'login_required'],
  // neither: these stay what they were
  ['ERROR: [TikTok] 7234567890123456789: Video not available, status code 10204', 'permanent', 'video_unavailable'],
  ['ERROR: unable to download video data: HTTP Error 503: Service Unavailable', 'transient', 'server_error'],
]

test('site changes and login walls are told apart from other failures, on real downloader texts', () => {
  for (const [stderr, kind, code] of CASES) {
    const verdict = classifyYtDlpError(stderr, 1)
    assert.deepEqual({ kind: verdict.kind, code: verdict.code }, { kind, code }, stderr)
    assert.ok(!/please report this issue/i.test(verdict.message), 'no bug-report boilerplate in the message')
  }
})
