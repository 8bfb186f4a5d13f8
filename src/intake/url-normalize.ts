// The dedupe key for a submitted link. Phones share the same video with different tracking
// parameters every time (TikTok adds `_r`, `_t`, `sender_device`...; Instagram adds `igsh`), so the
// key drops those and anything else that does not change which video the link points to.

/** Query parameters (compared lower-case) that only say who shared a link, how, or from where. */
const TRACKING_PARAMETERS: ReadonlySet<string> = new Set([
  // TikTok share links
  'is_from_webapp',
  'sender_device',
  'sender_web_id',
  'web_id',
  'is_copy_url',
  '_r',
  '_t',
  'u_code',
  'tt_from',
  'share_app_id',
  'share_author_id',
  'share_link_id',
  'social_sharing',
  // Instagram and Facebook
  'igsh',
  'igshid',
  'fbclid',
  'mibextid',
  // YouTube and Spotify share ids
  'si',
  // ad and mail click ids
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  // X / Twitter
  'ref_src',
  'ref_url',
])

/** Every `utm_*` parameter (utm_source, utm_medium, utm_campaign, ...) is tracking. */
const TRACKING_PREFIXES: readonly string[] = ['utm_']

/** True for a query parameter name that never changes which video a link points to. */
export function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase()
  return TRACKING_PARAMETERS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

/**
 * The dedupe key of a URL: lower-case scheme and host, no default port, no trailing dot on the
 * host, no user info, no fragment, tracking parameters removed, remaining parameters sorted by
 * name, trailing slashes of the path removed. Idempotent: normalizing a key gives the same key.
 *
 * `https://www.instagram.com/reel/ABC/?igsh=xyz` and `https://WWW.instagram.com/reel/ABC#x`
 * both become `https://www.instagram.com/reel/ABC`.
 */
export function normalizeUrl(url: URL): string {
  // WHATWG URL already lower-cases scheme and host, punycodes IDN hosts, drops default ports
  // and resolves `.`/`..` path segments; what is left is what it keeps on purpose.
  const host = stripTrailingDots(url.hostname)
  const port = url.port === '' ? '' : `:${url.port}`

  // All trailing slashes, not one: `/a//` must not become `/a/` and then `/a` on a second pass.
  const path = url.pathname.replace(/\/+$/, '')

  const params = new URLSearchParams(url.search)
  for (const name of new Set(params.keys())) {
    if (isTrackingParameter(name)) params.delete(name)
  }
  // A stable sort by name: `?b=1&a=2` and `?a=2&b=1` are the same link, but the relative order of
  // repeated names (`?id=2&id=1`) is kept because a site may read it.
  params.sort()
  const query = params.toString()

  return `${url.protocol}//${host}${port}${path}${query === '' ? '' : `?${query}`}`
}

/** `tiktok.com.` is the same host as `tiktok.com` (a fully qualified name). */
function stripTrailingDots(hostname: string): string {
  const stripped = hostname.replace(/\.+$/, '')
  return stripped === '' ? hostname : stripped
}
