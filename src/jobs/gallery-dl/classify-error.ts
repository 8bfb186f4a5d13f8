// Turns what gallery-dl printed into a decision, like classify-error.ts does for yt-dlp. gallery-dl
// logs "[<module>][error] <text>" and "[<module>][warning] <text>"; a failed file download is an
// error line ("Failed to download …") whose cause is in the warning before it ("'404 Not Found'
// for '…'"). So the error lines are read first, newest first, then the warnings. Codes are the
// same as yt-dlp's where the meaning is the same.
import { FailureKind, type ClassificationRule as Rule, type FailureClassification } from '../classify-error.js'

const { permanent, transient } = FailureKind

/** gallery-dl's exit status when no extractor takes the URL (NoExtractorError). */
export const GALLERY_DL_UNSUPPORTED_EXIT = 64

const RULES: readonly Rule[] = [
  {
    pattern: /Unsupported URL|URLs are not supported/i,
    kind: permanent,
    code: 'unsupported_url',
    message: 'Neither yt-dlp nor gallery-dl can download from this address. Share the link of the post itself.',
  },
  {
    pattern: /posts are private|private (?:account|profile|post)/i,
    kind: permanent,
    code: 'private_video',
    message: 'The post is private. If your account can see it, give the server your cookies for the site.',
  },
  {
    pattern: /Login required|credentials required|needed to access|redirect to login page|AuthorizationError|AuthenticationError|Insufficient privileges|Invalid (?:or missing )?login/i,
    kind: permanent,
    code: 'login_required',
    message: 'The site wants a login to show this post. Export your browser cookies for the site and give them to the server.',
  },
  {
    pattern: /Region locked/i,
    kind: permanent,
    code: 'geo_restricted',
    message: "The post is not available from this server's country.",
  },
  {
    pattern: /could not be found|NotFoundError|not available|'(?:404|410) /i,
    kind: permanent,
    code: 'not_found',
    message: 'The site answered "not found": the link is wrong or the post was removed.',
  },
  {
    pattern: /'429 |Too Many Requests/i,
    kind: transient,
    code: 'rate_limited',
    message: 'The site is rate-limiting this server (HTTP 429). It will be tried again later.',
  },
  {
    pattern: /'5\d\d /,
    kind: transient,
    code: 'server_error',
    message: 'The site had a server error (HTTP 5xx). It will be tried again later.',
  },
  {
    pattern: /'403 |challenge|CAPTCHA/i,
    kind: transient,
    code: 'http_forbidden',
    message: 'The site refused the download (HTTP 403 or a bot check). It will be tried again; if it keeps failing, give the server your cookies for the site.',
  },
  {
    pattern: /NameResolutionError|Failed to resolve|Name or service not known|nodename nor servname|getaddrinfo|name resolution/i,
    kind: transient,
    code: 'dns_failed',
    message: "The site's name could not be resolved. Check this server's internet connection and DNS.",
  },
  {
    pattern: /timed out|Timeout/i,
    kind: transient,
    code: 'network_timeout',
    message: 'The connection to the site timed out. It will be tried again later.',
  },
  {
    pattern: /Connection refused|NewConnectionError|Connection (?:reset|aborted)|RemoteDisconnected|Max retries exceeded|Network is unreachable|No route to host/i,
    kind: transient,
    code: 'connection_failed',
    message: 'The connection to the site failed. It will be tried again later.',
  },
  {
    pattern: /SSLError|CERTIFICATE_VERIFY_FAILED|\bSSL\b/,
    kind: transient,
    code: 'tls_error',
    message: 'The secure connection to the site failed (TLS/SSL). Check the server clock and network; it will be tried again.',
  },
  {
    pattern: /file size mismatch|IncompleteRead|ChunkedEncodingError/i,
    kind: transient,
    code: 'incomplete_download',
    message: 'The download was cut off before the end. It will be tried again later.',
  },
  {
    pattern: /An unexpected error occurred|Failed to extract|Failed to load API data|Failed to parse JSON|KeyError|JSONDecodeError/i,
    kind: permanent,
    code: 'site_changed',
    message: 'gallery-dl could not read the page; the site probably changed. A newer gallery-dl usually fixes this.',
  },
]

/** Classifies a finished gallery-dl run from its stderr and exit code. */
export function classifyGalleryDlError(stderr: string, exitCode: number | null): FailureClassification {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
  // argparse's exit status 2: an option gallery-dl does not know, which only config can have put there.
  const usage = lines.findLast((line) => /^(?:usage: )?\S*: error: /.test(line))
  if (exitCode === 2 && usage) {
    return { kind: permanent, code: 'invalid_options', message: `gallery-dl rejected its options; check gallery_dl.extra_args in the config. ${usage}` }
  }
  if (exitCode === GALLERY_DL_UNSUPPORTED_EXIT) return verdict(RULES[0]!)
  // "Failed to download <file name>" only says that a file failed (its cause is a warning) and
  // carries a name the site chose: it is never matched against the rules.
  const errors = lines.filter((line) => /^\[[^\]]+\]\[error\]/.test(line) && !/\]\s*Failed to download /.test(line)).reverse()
  const warnings = lines.filter((line) => /^\[[^\]]+\]\[warning\]/.test(line)).reverse()
  for (const line of [...errors, ...warnings]) {
    // Quoted URLs and a leading "<url>:" are the site's text, not gallery-dl's: they are not matched.
    const text = line
      .replace(/^\[[^\]]+\]\[\w+\]\s*/, '')
      .replace(/'(?:https?|ftp):\/\/[^']*'/g, "'<url>'")
      .replace(/^https?:\/\/\S+: /, '')
    const rule = RULES.find((candidate) => candidate.pattern.test(text))
    if (rule) return verdict(rule)
  }
  const last = (errors[0] ?? warnings[0] ?? lines.at(-1) ?? '').replace(/^\[[^\]]+\]\[\w+\]\s*/, '').slice(0, 500)
  const fallback = last || (exitCode === null ? 'gallery-dl was stopped by a signal' : `gallery-dl exited with code ${exitCode}`)
  return { kind: transient, code: 'download_failed', message: `The download failed: ${fallback}` }
}

function verdict(rule: Rule): FailureClassification {
  return { kind: rule.kind, code: rule.code, message: rule.message }
}
