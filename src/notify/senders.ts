// One HTTP request per delivery attempt to a webhook, an ntfy topic or a Web Push endpoint.
// Each answers ok on a 2xx; anything else is retried by the dispatcher, except a push endpoint
// that says the subscription is gone (404/410), which is forgotten.
import { createHmac } from 'node:crypto'
import { VERSION } from '../core/version.js'
import type { Download } from '../http/schemas.js'
import type { NotificationTarget } from './targets.js'
import { describeEvent, type OutgoingEvent } from './message.js'
import { webPush, type VapidKeys } from './vapid-keys.js'

export type HttpFetch = typeof fetch

/** One attempt: what is sent, and with what. */
export interface OutgoingNotification {
  /** X-VDS-Delivery: the same on every retry of one delivery */
  deliveryId: string
  event: OutgoingEvent
  download: Download | null
  sentAt: string
}

export interface SenderContext {
  fetch: HttpFetch
  /** absolute base URL of the server, for links */
  baseUrl: string
  /** signs webhooks that have no secret of their own */
  webhookSecret: string
  vapid: VapidKeys
  /** VAPID "sub" claim: mailto: or https: contact */
  vapidSubject: string
  timeoutMs: number
}

export type SendResult = { ok: true; status: number } | { ok: false; error: string; gone: boolean }

const USER_AGENT = `video-download-server/${VERSION}`

/** Hex HMAC-SHA256 of the exact body bytes, as sent in X-VDS-Signature ("sha256=<hex>"). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export async function sendNotification(target: NotificationTarget, message: OutgoingNotification, context: SenderContext): Promise<SendResult> {
  try {
    const response = await context.fetch(...buildRequest(target, message, context))
    // The body is not needed; reading it to the end frees the connection for keep-alive.
    await response.arrayBuffer().catch(() => undefined)
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status }
    const gone = target.kind === 'push' && (response.status === 404 || response.status === 410)
    return { ok: false, error: `HTTP ${response.status}`, gone }
  } catch (err) {
    return { ok: false, error: describeFetchError(err), gone: false }
  }
}

function buildRequest(target: NotificationTarget, message: OutgoingNotification, context: SenderContext): [string, RequestInit] {
  const common = { method: 'POST', redirect: 'manual' as const, signal: AbortSignal.timeout(context.timeoutMs) }
  switch (target.kind) {
    case 'webhook': {
      const body = JSON.stringify({ event: message.event, download: message.download, sent_at: message.sentAt })
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-vds-event': message.event,
        'x-vds-delivery': message.deliveryId,
        'x-vds-signature': signBody(target.secret ?? context.webhookSecret, body),
      }
      return [target.url, { ...common, headers, body }]
    }
    case 'ntfy': {
      const text = describeEvent(message.event, message.download, context.baseUrl)
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        'user-agent': USER_AGENT,
        title: headerText(text.title),
        click: text.click,
        tags: text.tags.join(','),
      }
      if (target.token) headers.authorization = `Bearer ${target.token}`
      return [target.url, { ...common, headers, body: text.body }]
    }
    case 'push': {
      const text = describeEvent(message.event, message.download, context.baseUrl)
      // What the web app's service worker shows (see docs/notifications.md).
      const payload = JSON.stringify({
        event: message.event,
        download_id: message.download?.download_id ?? null,
        title: text.title,
        body: text.body,
        url: text.click,
        tag: message.download?.download_id ?? 'vds-test',
      })
      const { subscription } = target
      const details = webPush().generateRequestDetails(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        payload,
        {
          vapidDetails: { subject: context.vapidSubject, publicKey: context.vapid.publicKey, privateKey: context.vapid.privateKey },
          TTL: 24 * 60 * 60,
          contentEncoding: 'aes128gcm',
        },
      )
      const headers = { ...(details.headers as Record<string, string>), 'user-agent': USER_AGENT }
      return [details.endpoint, { ...common, headers, body: details.body ?? null }]
    }
  }
}

/** HTTP headers carry Latin-1 only: other text goes as RFC 2047 UTF-8 base64, which ntfy decodes. */
function headerText(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ')
  return /^[\x20-\x7e]*$/.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine).toString('base64')}?=`
}

function describeFetchError(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } }
  if (error.name === 'TimeoutError') return 'no answer in time'
  return error.cause?.code ?? error.cause?.message ?? error.message
}
