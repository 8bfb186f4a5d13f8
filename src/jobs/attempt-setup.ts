// What one attempt runs with, decided when it starts: the downloader files (the managed copy as
// it is now, so an update applies from the next attempt on) and the cookies of the link's site
// (a private copy the downloader may rewrite, removed when the attempt ends).
import { rmSync } from 'node:fs'
import type { Config } from '../core/config.js'
import type { DownloadRow } from '../core/types.js'
import { siteForHost, type CookieStore } from '../logins/cookie-store.js'
import type { ToolsManager } from '../tools/tools-manager.js'

/** The config of one attempt and what to clean up after it. */
export interface PreparedAttempt {
  config: Config
  /** the site whose stored cookies this attempt uses; null when it uses none */
  cookieSite: string | null
  /** removes the attempt's copy of the cookies */
  release(): void
}

/** Prepares each attempt; the worker gets one from the composition root. */
export type AttemptSetup = (row: DownloadRow) => PreparedAttempt

export interface AttemptSetupDeps {
  config: Config
  tools: Pick<ToolsManager, 'commandFor'>
  cookies: Pick<CookieStore, 'sites' | 'copyForAttempt'>
}

export function createAttemptSetup(deps: AttemptSetupDeps): AttemptSetup {
  return (row) => {
    const { config } = deps
    const host = hostOf(row.url)
    const site = host ? siteForHost(host, deps.cookies.sites()) : undefined
    let copy: string | null = null
    if (site) {
      try {
        copy = deps.cookies.copyForAttempt(site, row.id)
      } catch {
        copy = null // removed between listing and copying: run without
      }
    }
    return {
      config: {
        ...config,
        ytdlp: { ...config.ytdlp, path: deps.tools.commandFor('yt-dlp').command, cookies_file: copy ?? config.ytdlp.cookies_file },
        gallery_dl: { ...config.gallery_dl, path: deps.tools.commandFor('gallery-dl').command },
      },
      cookieSite: copy ? site! : null,
      release: () => {
        if (copy) rmSync(copy, { force: true })
      },
    }
  }
}

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname
  } catch {
    return null
  }
}
