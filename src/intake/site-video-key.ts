// The site's own id of a post when the link shows it, so two spellings of one post (a share link
// with a different user in the path, /reel/ vs /p/, m. vs www.) are one download at submission.
// Only ids that name a post on that site count: TikTok's numeric id, Instagram's short code.
// Links that hide the id (vm.tiktok.com/ZM..., a profile, a search) have no key; they still dedupe
// at completion by extractor and video id (jobs-repository).

/** A site whose links can show a post id, and the extractor name yt-dlp and gallery-dl use for it. */
interface SiteRule {
  /** the host and its subdomains */
  domain: string
  /** prefix of the key, "<site>:<id>" */
  site: string
  /** the extractor a completed download of such a link records (for the completion-side match) */
  extractor: string
  /** path patterns; group 1 is the id */
  paths: readonly RegExp[]
}

const RULES: readonly SiteRule[] = [
  {
    domain: 'tiktok.com',
    site: 'tiktok',
    extractor: 'TikTok',
    // /@user/video/ID, /@user/photo/ID; the mobile /v/ID.html share page.
    paths: [/^\/@[^/]+\/(?:video|photo)\/(\d{6,25})(?:\/|$)/, /^\/v\/(\d{6,25})(?:\.html)?(?:\/|$)/],
  },
  {
    domain: 'instagram.com',
    site: 'instagram',
    extractor: 'Instagram',
    // /p/CODE/, /reel/CODE/, /reels/CODE/, /tv/CODE/, also behind a user name (/anna/p/CODE/).
    paths: [/^(?:\/[A-Za-z0-9._]+)?\/(?:p|reels?|tv)\/([A-Za-z0-9_-]{5,64})(?:\/|$)/],
  },
]

/** What a link says about the post it points to. */
export interface SiteVideoId {
  /** "<site>:<id>", stored in downloads.site_video_key */
  key: string
  /** the extractor name a finished download of it records */
  extractor: string
  /** the id as the extractor records it (downloads.video_id) */
  videoId: string
}

/** The post id a link shows, or undefined (not a known site, or the id is not in the link). */
export function siteVideoId(url: string | URL): SiteVideoId | undefined {
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : url
  } catch {
    return undefined
  }
  const host = parsed.hostname.toLowerCase().replace(/\.+$/, '')
  const rule = RULES.find((candidate) => host === candidate.domain || host.endsWith(`.${candidate.domain}`))
  if (!rule) return undefined
  for (const pattern of rule.paths) {
    const id = pattern.exec(parsed.pathname)?.[1]
    if (id !== undefined) return { key: `${rule.site}:${id}`, extractor: rule.extractor, videoId: id }
  }
  return undefined
}
