// Sends what the outbox holds. Woken by status events (so a webhook leaves within milliseconds of
// the commit), by a timer for the next retry, and by a slow sweep that also catches events written
// by another connection. Events become one delivery per target; a delivery is deleted on a 2xx and
// otherwise retried after notifications.retry_delays_seconds (then the last delay) for up to 24 h.
// The database is the truth: a crash at any point resends at most what was not yet acknowledged.
// Its writes (expanding events, recording attempts) are calls to the writer thread, awaited.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Config } from '../core/config.js'
import type { DownloadEventMap, DownloadEvents } from '../core/events.js'
import type { DownloadsRepository } from '../db/downloads-repository.js'
import type { DeliveryRow, NotificationEventRow, NotificationsRepository } from '../db/notifications-repository.js'
import type { DownloadRow } from '../core/types.js'
import type { Download } from '../http/schemas.js'
import { sendNotification, type HttpFetch, type SendResult, type SenderContext } from './senders.js'
import { listTargets, type NotificationTarget } from './targets.js'
import { loadOrCreateSecret } from './secret-files.js'
import { loadVapidKeys } from './vapid-keys.js'

export interface DispatcherDeps {
  config: Config
  notifications: NotificationsRepository
  downloads: DownloadsRepository
  events: DownloadEvents
  log: Logger
  /** absolute <data_dir>, where the webhook secret and VAPID keys live */
  dataDir: string
  /** absolute base URL for links (publicBaseUrl) */
  baseUrl: string
  /** the download object sent, with absolute signed file links (composition root: notificationLinks) */
  viewOf: (row: DownloadRow) => Download
  now?: () => Date
  /** replaces global fetch (tests trust their own loopback CA this way) */
  fetch?: HttpFetch
  /** how often stored work is looked for without a wake-up */
  sweepMs?: number
  /** one attempt's time limit */
  timeoutMs?: number
}

export const WEBHOOK_SECRET_FILE = 'webhook-secret'
const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000
const BATCH = 32
const MAX_TIMER_MS = 60 * 60 * 1000

/** The server's secret for webhooks without their own; made once. */
export function loadWebhookSecret(dataDir: string): string {
  return loadOrCreateSecret(dataDir, WEBHOOK_SECRET_FILE, () => randomBytes(32).toString('hex'))
}

/** The delay before attempt `failedAttempts + 1`: the configured list, then its last entry. */
export function retryDelaySeconds(failedAttempts: number, delays: readonly number[]): number {
  if (delays.length === 0) return 60
  return delays[Math.min(failedAttempts - 1, delays.length - 1)] ?? 60
}

export class NotificationDispatcher {
  #running = false
  #pass: Promise<void> | undefined
  #again = false
  #timer: NodeJS.Timeout | undefined
  #sweep: NodeJS.Timeout | undefined
  /** attempts under way, by delivery id; a pass never waits for them */
  readonly #inFlight = new Map<string, Promise<void>>()
  readonly #deps
  // Only an end (completed, failed) or a wait with a reason (login_required comes with its message)
  // can have put an event in the outbox (migrations' triggers); a submission or a start cannot, and
  // a pass for each of those is two queries per request under load. The sweep catches anything else.
  readonly #onStatus = (change: DownloadEventMap['status'][0]) => {
    if (change.status === 'completed' || change.status === 'failed' || change.error_message) this.wake()
  }
  #context: SenderContext | undefined

  constructor(deps: DispatcherDeps) {
    this.#deps = { now: () => new Date(), fetch: globalThis.fetch, sweepMs: 5_000, timeoutMs: 10_000, ...deps }
  }

  /** What senders need; the secrets are made on first use, not when the app is built. */
  senderContext(): SenderContext {
    const { config, dataDir, baseUrl } = this.#deps
    this.#context ??= {
      fetch: this.#deps.fetch,
      baseUrl,
      webhookSecret: loadWebhookSecret(dataDir),
      vapid: loadVapidKeys(dataDir),
      vapidSubject: config.notifications.web_push.subject ?? (baseUrl.startsWith('https://') ? baseUrl : 'mailto:owner@localhost'),
      timeoutMs: this.#deps.timeoutMs,
    }
    return this.#context
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#deps.events.on('status', this.#onStatus)
    this.#sweep = setInterval(() => this.wake(), this.#deps.sweepMs)
    this.#sweep.unref()
    this.wake()
  }

  /** Stops sending; waits for attempts in flight (each is bounded by the timeout). */
  async stop(): Promise<void> {
    this.#running = false
    this.#deps.events.off('status', this.#onStatus)
    clearInterval(this.#sweep)
    clearTimeout(this.#timer)
    await this.#pass
    await Promise.allSettled(this.#inFlight.values())
  }

  /** Looks at the outbox now; concurrent wake-ups collapse into one more pass. */
  wake(): void {
    if (!this.#running) return
    if (this.#pass) {
      this.#again = true
      return
    }
    this.#pass = this.#runPass()
      .catch((err: unknown) => this.#deps.log.error({ err }, 'notification outbox pass failed; trying again shortly'))
      .finally(() => {
        this.#pass = undefined
        if (this.#again) {
          this.#again = false
          this.wake()
        }
      })
  }

  /** Sends one message to every target now, outside the outbox (`vds notify test`). */
  async sendTest(subscriptionsOf: () => ReturnType<NotificationsRepository['listSubscriptions']>): Promise<Array<{ target: NotificationTarget; result: SendResult }>> {
    const targets = listTargets(this.#deps.config, subscriptionsOf())
    const sentAt = this.#deps.now().toISOString()
    return Promise.all(
      targets.map(async (target) => ({
        target,
        result: await sendNotification(target, { deliveryId: randomUUID(), event: 'test', download: null, sentAt }, this.senderContext()),
      })),
    )
  }

  async #runPass(): Promise<void> {
    await this.#expandEvents()
    const now = this.#deps.now()
    const free = BATCH - this.#inFlight.size
    const due = this.#deps.notifications.dueDeliveries(now.toISOString(), BATCH + this.#inFlight.size).filter((row) => !this.#inFlight.has(row.id))
    if (due.length > 0 && free > 0) {
      const targets = new Map(listTargets(this.#deps.config, this.#deps.notifications.listSubscriptions()).map((t) => [t.key, t]))
      // Not awaited: a receiver that hangs until the timeout must not hold back the next event.
      for (const row of due.slice(0, free)) this.#startAttempt(row, targets.get(row.target))
    }
    this.#scheduleNext()
  }

  /** Stored events → one delivery per target that wants the event. */
  async #expandEvents(): Promise<void> {
    const { notifications, downloads, config } = this.#deps
    let events: NotificationEventRow[]
    while ((events = notifications.pendingEvents()).length > 0) {
      const targets = listTargets(config, notifications.listSubscriptions())
      // Asked together: the writer commits them in one transaction.
      const expanded = events.map((event) => {
        const row = downloads.findById(event.download_id)
        const payload = row ? JSON.stringify(this.#view(row)) : null
        const wanting = payload === null ? [] : targets.filter((target) => target.events.includes(event.event))
        return notifications.expandEvent(
          event,
          wanting.map((target) => ({
            id: randomUUID(),
            event: event.event,
            download_id: event.download_id,
            target: target.key,
            payload: payload!,
            created_at: event.created_at,
            next_attempt_at: event.created_at,
          })),
        )
      })
      await Promise.all(expanded)
    }
  }

  #view(row: DownloadRow): Download {
    return this.#deps.viewOf(row)
  }

  #startAttempt(row: DeliveryRow, target: NotificationTarget | undefined): void {
    const dlog = this.#deps.log.child({ download_id: row.download_id, delivery_id: row.id, event: row.event })
    const attempt = (target ? this.#attempt(row, target, dlog) : this.#drop(row, dlog))
      .catch((err: unknown) => dlog.error({ err }, 'could not record a notification attempt; it is sent again later'))
      .finally(() => {
        this.#inFlight.delete(row.id)
        this.wake()
      })
    this.#inFlight.set(row.id, attempt)
  }

  /** In flight like an attempt, so no pass picks the row again before its delete is committed. */
  async #drop(row: DeliveryRow, dlog: Logger): Promise<void> {
    await this.#deps.notifications.deleteDelivery(row.id)
    dlog.info({ target: targetKind(row.target) }, 'notification dropped: its target is no longer configured')
  }

  async #attempt(row: DeliveryRow, target: NotificationTarget, dlog: Logger): Promise<void> {
    const download = JSON.parse(row.payload) as Download
    const result = await sendNotification(target, { deliveryId: row.id, event: row.event, download, sentAt: this.#deps.now().toISOString() }, this.senderContext())
    await this.#record(row, target, result, dlog)
  }

  async #record(row: DeliveryRow, target: NotificationTarget, result: SendResult, dlog: Logger): Promise<void> {
    const { notifications, config } = this.#deps
    const where = { target: target.kind, attempt: row.attempts + 1 }
    if (result.ok) {
      await notifications.deleteDelivery(row.id)
      dlog.info({ ...where, status: result.status }, 'notification delivered')
      return
    }
    if (result.gone && target.kind === 'push') {
      await notifications.deleteSubscription(target.subscription.endpoint, target.key)
      dlog.info(where, 'push subscription expired or was withdrawn; forgotten')
      return
    }
    const nowMs = this.#deps.now().getTime()
    const nextMs = nowMs + retryDelaySeconds(row.attempts + 1, config.notifications.retry_delays_seconds) * 1000
    if (nextMs - Date.parse(row.created_at) > GIVE_UP_AFTER_MS) {
      await notifications.deleteDelivery(row.id)
      dlog.warn({ ...where, error: result.error }, 'notification given up after 24 hours of retries')
      return
    }
    await notifications.rescheduleDelivery(row.id, new Date(nextMs).toISOString(), result.error)
    dlog.warn({ ...where, error: result.error, next_attempt_at: new Date(nextMs).toISOString() }, 'notification not accepted; will retry')
  }

  #scheduleNext(): void {
    clearTimeout(this.#timer)
    if (!this.#running) return
    const next = this.#deps.notifications.earliestDelivery()
    if (next === undefined) return
    const delay = Math.min(Date.parse(next) - this.#deps.now().getTime(), MAX_TIMER_MS)
    // Due now means in flight (its end wakes us) or left for the next pass (#again): no timer.
    if (delay <= 0) return
    this.#timer = setTimeout(() => this.wake(), delay)
    this.#timer.unref()
  }
}

/** The kind of a stored target key, for logs (a URL may hold a token). */
function targetKind(key: string): string {
  return key.split(':')[0] ?? key
}
