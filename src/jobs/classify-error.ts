// Turns what yt-dlp printed into a decision: retry later, or fail now with a sentence a person can
// act on. Permanent failures would fail the same way on every retry (the video is gone, private,
// behind a login); transient ones may pass later (network, server trouble, rate limits). Anything
// unrecognised is treated as transient: the retry budget is bounded, so a wrong guess costs a few
// attempts, while failing a good link at once would lose it.

/** Retry later, or give up now. */
export const FailureKind = { permanent: 'permanent', transient: 'transient' } as const
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind]

/** The verdict on one failed attempt. */
export interface FailureClassification {
  kind: FailureKind
  /** stable snake_case code, stored in downloads.error_code */
  code: string
  /** what went wrong and what to do about it, for a person */
  message: string
}

/** A text to look for in a downloader's errors, and the verdict when it is there. */
export interface ClassificationRule {
  pattern: RegExp
  kind: FailureKind
  code: string
  message: string
}
type Rule = ClassificationRule

const { permanent, transient } = FailureKind

/** Texts of yt-dlp and gallery-dl for "log in first" and "your cookies stopped working". */
const LOGIN_RULE: Rule = {
  pattern: /login required|Sign in to confirm|requires? (?:a )?login|log ?in to (?:view|watch)|registered users|Use --cookies|account credentials|HTTP Error 401|cookies are no longer valid|redirect to (?:login|challenge) page|AuthRequired|AuthorizationError|AuthenticationError|needed to access/i,
  kind: 'permanent',
  code: 'login_required',
  message: 'The site wants a login for this link. Upload cookies for the site (vds cookies import SITE FILE, or the web page); the download then resumes by itself.',
}

/** yt-dlp only warns that the cookies stopped working, then fails with whatever the logged-out page gives. */
const COOKIES_EXPIRED = /cookies are no longer valid/i

// Order matters: the first match wins, so specific texts come before the generic HTTP codes
// (a private video's text also says "Sign in"; a login wall often arrives as a 403).
const RULES: readonly Rule[] = [
  {
    pattern: /Unsupported URL/i,
    kind: permanent,
    code: 'unsupported_url',
    message: 'yt-dlp cannot download from this address. Share the page of the video itself, not a profile, search or feed.',
  },
  {
    pattern: /Private video|This video is private|This account is private/i,
    kind: permanent,
    code: 'private_video',
    message: 'The video is private. If your account can see it, export your browser cookies for the site and set ytdlp.cookies_file.',
  },
  {
    pattern: /DRM protected|--allow-unplayable-formats/i,
    kind: permanent,
    code: 'drm_protected',
    message: 'The video is DRM-protected and cannot be downloaded.',
  },
  {
    pattern: /copyright|blocked it (?:in your country|on copyright)/i,
    kind: permanent,
    code: 'copyright_blocked',
    message: 'The video was blocked because of a copyright claim.',
  },
  {
    pattern: /available (?:in|from) your (?:country|location)|geo[- ]?restrict|geo[- ]?block/i,
    kind: permanent,
    code: 'geo_restricted',
    message: "The video is not available from this server's country.",
  },
  LOGIN_RULE,
  {
    // yt-dlp's extractor no longer understands the page (the usual cause: the site changed, and a
    // newer yt-dlp release fixes it); gallery-dl's equivalent is unparsable JSON. Permanent until
    // an update: retrying the same release gives the same answer, the update re-queues it.
    pattern: /Unable to extract|Unable to parse|Failed to parse JSON|Unexpected response from webpage request|Unable to solve JS challenge|Unable to find .+ in (?:webpage|page|response)/i,
    kind: permanent,
    code: 'site_changed',
    message: 'The site changed and this downloader cannot read the page any more. New releases fix this: the server installs them by itself and then tries this link again.',
  },
  {
    pattern: /No video formats found|Requested format is not available|There's no video in this/i,
    kind: permanent,
    code: 'no_video_formats',
    message: 'No downloadable video was found at this link. If it should have one, check ytdlp.format or update yt-dlp.',
  },
  {
    pattern: /Video unavailable|not available|has been removed|no longer available|does not exist|been deleted|content isn't available/i,
    kind: permanent,
    code: 'video_unavailable',
    message: 'The video is not available any more: it was removed, deleted or never existed.',
  },
  {
    pattern: /HTTP Error (?:404|410)/i,
    kind: permanent,
    code: 'not_found',
    message: 'The site answered "not found" (HTTP 404/410): the link is wrong or the video was removed.',
  },
  {
    pattern: /HTTP Error 429|Too Many Requests|rate[- ]limit/i,
    kind: transient,
    code: 'rate_limited',
    message: 'The site is rate-limiting this server (HTTP 429). It will be tried again later.',
  },
  {
    pattern: /HTTP Error 5\d\d/i,
    kind: transient,
    code: 'server_error',
    message: 'The site had a server error (HTTP 5xx). It will be tried again later.',
  },
  {
    pattern: /HTTP Error 403/i,
    kind: transient,
    code: 'http_forbidden',
    message: 'The site refused the download (HTTP 403). Signed links expire, so it will be tried again; if it keeps failing, update yt-dlp or set ytdlp.cookies_file.',
  },
  {
    pattern: /name resolution|Name or service not known|nodename nor servname|getaddrinfo|No address associated/i,
    kind: transient,
    code: 'dns_failed',
    message: "The site's name could not be resolved. Check this server's internet connection and DNS.",
  },
  {
    pattern: /timed out|timeout/i,
    kind: transient,
    code: 'network_timeout',
    message: 'The connection to the site timed out. It will be tried again later.',
  },
  {
    pattern: /Connection (?:refused|reset|aborted)|reset by peer|Broken pipe|Network is unreachable|No route to host|Remote end closed/i,
    kind: transient,
    code: 'connection_failed',
    message: 'The connection to the site failed. It will be tried again later.',
  },
  {
    pattern: /SSL|CERTIFICATE|TLS/,
    kind: transient,
    code: 'tls_error',
    message: 'The secure connection to the site failed (TLS/SSL). Check the server clock and network; it will be tried again.',
  },
  {
    pattern: /IncompleteRead|incomplete read|Did not get any data blocks|content too short/i,
    kind: transient,
    code: 'incomplete_download',
    message: 'The download was cut off before the end. It will be tried again later.',
  },
]

/** yt-dlp's own advice, which the owner of this server cannot act on. */
const BOILERPLATE = /;?\s*please report this issue on.*$/is

/** Classifies a finished yt-dlp run from its stderr and exit code. */
export function classifyYtDlpError(stderr: string, exitCode: number | null): FailureClassification {
  const errorLine = lastErrorLine(stderr)
  // optparse's exit status 2: an option yt-dlp does not know, which only config can have put there.
  if (exitCode === 2 && /^yt-dlp: error: /m.test(stderr)) {
    return {
      kind: permanent,
      code: 'invalid_options',
      message: `yt-dlp rejected its options; check ytdlp.extra_args in the config. ${errorLine}`.trim(),
    }
  }
  if (COOKIES_EXPIRED.test(stderr)) return { kind: LOGIN_RULE.kind, code: LOGIN_RULE.code, message: LOGIN_RULE.message }
  for (const rule of RULES) {
    if (rule.pattern.test(errorLine)) return { kind: rule.kind, code: rule.code, message: rule.message }
  }
  const fallback = errorLine || (exitCode === null ? 'yt-dlp was stopped by a signal' : `yt-dlp exited with code ${exitCode}`)
  return { kind: transient, code: 'download_failed', message: `The download failed: ${fallback}` }
}

/** The attempt ran longer than downloads.timeout_seconds. */
export function timeoutFailure(timeoutSeconds: number): FailureClassification {
  return {
    kind: transient,
    code: 'timeout',
    message: `The download took longer than ${timeoutSeconds} s (downloads.timeout_seconds) and was stopped. Raise the limit for long videos or slow connections.`,
  }
}

/** The last "ERROR:" line, or the last line at all, without yt-dlp's bug-report boilerplate. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
  const line = lines.findLast((l) => l.startsWith('ERROR:')) ?? lines.at(-1) ?? ''
  return line.replace(BOILERPLATE, '').slice(0, 500)
}
