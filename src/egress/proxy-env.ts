// The proxy variables of a downloader's environment. Inherited ones are dropped: the server's own
// HTTP_PROXY or NO_PROXY must not reach yt-dlp (Python's urllib honours NO_PROXY even next to
// --proxy, so NO_PROXY=* would bypass the egress proxy). An attempt sets them to its egress
// proxy instead, so that programs the downloader starts (ffmpeg for HLS, say) go through it too.

/** Every spelling the programs a downloader may start read. */
export const PROXY_ENV_NAMES: readonly string[] = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'ftp_proxy'].flatMap((name) => [name, name.toUpperCase()])

/** The server's environment without any proxy variable. */
export function withoutProxyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = { ...env }
  for (const name of PROXY_ENV_NAMES) delete kept[name]
  return kept
}

/** The variables that send a downloader's helpers through `proxyUrl`; none without one. */
export function proxyEnv(proxyUrl: string | null): Record<string, string> {
  if (proxyUrl === null) return {}
  const env: Record<string, string> = {}
  for (const name of ['http_proxy', 'https_proxy', 'all_proxy']) {
    env[name] = proxyUrl
    env[name.toUpperCase()] = proxyUrl
  }
  return env
}
