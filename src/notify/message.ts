// What a notification says, the same for ntfy and Web Push: a title, a line or two naming the post,
// tags, and the link a tap opens (the file when there is one, else the web app).
import type { Download } from '../http/schemas.js'
import type { NotificationEventName } from '../db/notifications-repository.js'

/** The events targets receive; `test` only from `vds notify test`. */
export type OutgoingEvent = NotificationEventName | 'test'

export interface NotificationMessage {
  title: string
  body: string
  /** ntfy tags: an emoji short code first, then the event */
  tags: string[]
  /** absolute link opened by a tap */
  click: string
}

/** The site of a link, without "www.": "tiktok.com". */
export function siteOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '')
  } catch {
    return url
  }
}

function postName(download: Download): string {
  const name = download.title ?? download.filename ?? download.url
  return download.uploader ? `${name} (${download.uploader})` : name
}

export function describeEvent(event: OutgoingEvent, download: Download | null, baseUrl: string): NotificationMessage {
  const home = `${baseUrl}/`
  if (event === 'test' || download === null) {
    return {
      title: 'Test from Video Download Server',
      body: 'Notifications reach you: you will hear when a download completes, fails or needs a login.',
      tags: ['bell', 'test'],
      click: home,
    }
  }
  switch (event) {
    case 'completed':
      return { title: `Downloaded: ${download.title ?? siteOf(download.url)}`, body: `${postName(download)}\n${download.url}`, tags: ['white_check_mark', 'completed'], click: download.file_url ?? home }
    case 'failed':
      return {
        title: `Download failed: ${download.title ?? siteOf(download.url)}`,
        body: `${postName(download)}\n${download.error_message ?? 'The download failed.'}\n${download.url}`,
        tags: ['x', 'failed'],
        click: home,
      }
    case 'login_required': {
      const site = siteOf(download.url)
      return {
        title: `Login needed: ${site}`,
        body: `${site} wants a login for ${download.url}\nUpload fresh cookies for ${site} (web app or vds cookies import) and the download resumes by itself.`,
        tags: ['key', 'login_required'],
        click: home,
      }
    }
  }
}
