// The notification outbox: events written by triggers next to the job's state (migration 3), the
// deliveries made from them (one per target), and the Web Push subscriptions of installed web apps.
import type { Db } from './open.js'

/** An event as the triggers store it. */
export interface NotificationEventRow {
  seq: number
  event: NotificationEventName
  download_id: string
  created_at: string
}

export type NotificationEventName = 'completed' | 'failed' | 'login_required'

/** One message to one target, kept until it is accepted or given up. */
export interface DeliveryRow {
  /** sent as X-VDS-Delivery; the same on every retry */
  id: string
  event: NotificationEventName
  download_id: string
  /** "webhook:<url>", "ntfy" or "push:<endpoint>" */
  target: string
  /** JSON of the download object when the event happened */
  payload: string
  created_at: string
  attempts: number
  next_attempt_at: string
  last_error: string | null
}

export type NewDelivery = Omit<DeliveryRow, 'attempts' | 'last_error'>

/** A browser's Web Push subscription (PushSubscription.toJSON()). */
export interface PushSubscriptionRow {
  endpoint: string
  /** the browser's P-256 public key, base64url */
  p256dh: string
  /** the 16-byte auth secret, base64url */
  auth: string
  api_key_name: string | null
  created_at: string
}

export function createNotificationsRepository(db: Db) {
  const statements = {
    events: db.prepare<[number], NotificationEventRow>('SELECT * FROM notification_events ORDER BY seq LIMIT ?'),
    deleteEvent: db.prepare<[number]>('DELETE FROM notification_events WHERE seq = ?'),
    insertDelivery: db.prepare<NewDelivery>(`
      INSERT OR IGNORE INTO notification_deliveries (id, event, download_id, target, payload, created_at, next_attempt_at)
      VALUES (@id, @event, @download_id, @target, @payload, @created_at, @next_attempt_at)`),
    due: db.prepare<[string, number], DeliveryRow>(
      'SELECT * FROM notification_deliveries WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
    ),
    earliest: db.prepare<[], { at: string | null }>('SELECT min(next_attempt_at) AS at FROM notification_deliveries'),
    deleteDelivery: db.prepare<[string]>('DELETE FROM notification_deliveries WHERE id = ?'),
    deleteDeliveriesTo: db.prepare<[string]>('DELETE FROM notification_deliveries WHERE target = ?'),
    reschedule: db.prepare<{ id: string; next_attempt_at: string; last_error: string }>(`
      UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = @next_attempt_at, last_error = @last_error
      WHERE id = @id`),
    countDeliveries: db.prepare<[], number>('SELECT count(*) FROM notification_deliveries').pluck(),
    upsertSubscription: db.prepare<PushSubscriptionRow>(`
      INSERT INTO push_subscriptions (endpoint, p256dh, auth, api_key_name, created_at)
      VALUES (@endpoint, @p256dh, @auth, @api_key_name, @created_at)
      ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, api_key_name = excluded.api_key_name`),
    subscriptions: db.prepare<[], PushSubscriptionRow>('SELECT * FROM push_subscriptions ORDER BY created_at'),
    subscription: db.prepare<[string], PushSubscriptionRow>('SELECT * FROM push_subscriptions WHERE endpoint = ?'),
    deleteSubscription: db.prepare<[string]>('DELETE FROM push_subscriptions WHERE endpoint = ?'),
  }

  /** Replaces stored events by their deliveries in one transaction: none lost, none doubled. */
  const expand = db.transaction((event: NotificationEventRow, deliveries: NewDelivery[]) => {
    for (const delivery of deliveries) statements.insertDelivery.run(delivery)
    statements.deleteEvent.run(event.seq)
  })

  const forgetSubscription = db.transaction((endpoint: string, target: string) => {
    const removed = statements.deleteSubscription.run(endpoint).changes > 0
    statements.deleteDeliveriesTo.run(target)
    return removed
  })

  return {
    /** The oldest stored events, not yet turned into deliveries. */
    pendingEvents(limit = 100): NotificationEventRow[] {
      return statements.events.all(limit)
    },
    /** Turns one event into its deliveries (none when no target wants it). */
    expandEvent(event: NotificationEventRow, deliveries: NewDelivery[]): void {
      expand.immediate(event, deliveries)
    },
    dueDeliveries(now: string, limit: number): DeliveryRow[] {
      return statements.due.all(now, limit)
    },
    earliestDelivery(): string | undefined {
      return statements.earliest.get()?.at ?? undefined
    },
    /** Accepted by the target (2xx), given up, or the target is gone. */
    deleteDelivery(id: string): void {
      statements.deleteDelivery.run(id)
    },
    rescheduleDelivery(id: string, nextAttemptAt: string, lastError: string): void {
      statements.reschedule.run({ id, next_attempt_at: nextAttemptAt, last_error: lastError })
    },
    countDeliveries(): number {
      return statements.countDeliveries.get()!
    },
    saveSubscription(row: PushSubscriptionRow): void {
      statements.upsertSubscription.run(row)
    },
    listSubscriptions(): PushSubscriptionRow[] {
      return statements.subscriptions.all()
    },
    findSubscription(endpoint: string): PushSubscriptionRow | undefined {
      return statements.subscription.get(endpoint)
    },
    /** Removes a subscription and whatever was still to be sent to it; false when it was unknown. */
    deleteSubscription(endpoint: string, target: string): boolean {
      return forgetSubscription.immediate(endpoint, target)
    },
  }
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>
