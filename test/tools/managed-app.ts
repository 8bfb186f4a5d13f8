// The real services with a managed yt-dlp (no system one) installed from the loopback release
// server, downloading from the loopback media server: the setup every end-to-end tools test shares.
import type { TestContext } from 'node:test'
import { startMediaServer } from '../fixtures/media-server.js'
import { NEW_VERSION, releaseBuilds } from '../fixtures/release-builds.js'
import { startReleaseServer } from '../fixtures/release-server.js'
import { buildTestApp } from '../helpers/test-app.js'

const LINUX_X64 = async () => ({ platform: 'linux' as const, arch: 'x64', python: [3, 11] as [number, number] })
/** the release asset the managed copy is on this platform */
export const ASSET = 'yt-dlp_linux'

export interface ManagedAppOptions {
  /** the release server refuses every request from the start (a first start without network) */
  offline?: boolean
  /** how soon the tools manager tries again after a failed install */
  retryMs?: number
}

/** NEW_VERSION is published; the worker runs; everything is closed when the test ends. */
export async function startManagedApp(t: TestContext, options: ManagedAppOptions = {}) {
  const builds = releaseBuilds()
  const releases = await startReleaseServer()
  t.after(() => releases.close())
  const media = await startMediaServer()
  t.after(() => media.close())
  releases.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
  if (options.offline) await releases.setOffline(true)
  const services = await buildTestApp(t, {
    startWorker: true,
    config: {
      downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [] },
      gallery_dl: { path: 'gallery-dl' },
      tools: { ytdlp_release_url: releases.baseUrl('yt-dlp') },
    },
    tools: { platform: LINUX_X64, systemCommands: { 'yt-dlp': '/nonexistent/yt-dlp' }, ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }) },
  })
  return { builds, releases, media, services }
}
