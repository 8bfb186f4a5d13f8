// The notification outbox's writes and the Web Push subscriptions, as statements on the write
// connection (the writer thread builds them, write-targets.ts). Events themselves are written by the
// triggers of migration 3, inside the job state change that causes them.
import type { Db } from './open.js'
import type { NewDelivery, NotificationEventRow, PushSubscriptionRow } from './notification-rows.js'

export function createNotificationWrites(db: Db) {
  const statements = {
    deleteEvent: db.prepare<[number]>('DELETE FROM notification_events WHERE seq = ?'),
    insertDelivery: db.prepare<NewDelivery>(`
      INSERT OR IGNORE INTO notification_deliveries (id, event, download_id, target, payload, created_at, next_attempt_at)
      VALUES (@id, @event, @download_id, @target, @payload, @created_at, @next_attempt_at)`),
    deleteDelivery: db.prepare<[string]>('DELETE FROM notification_deliveries WHERE id = ?'),
    deleteDeliveriesTo: db.prepare<[string]>('DELETE FROM notification_deliveries WHERE target = ?'),
    reschedule: db.prepare<{ id: string; next_attempt_at: string; last_error: string }>(`
      UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = @next_attempt_at, last_error = @last_error
      WHERE id = @id`),
    upsertSubscription: db.prepare<PushSubscriptionRow>(`
      INSERT INTO push_subscriptions (endpoint, p256dh, auth, api_key_name, created_at)
      VALUES (@endpoint, @p256dh, @auth, @api_key_name, @created_at)
      ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, api_key_name = excluded.api_key_name`),
    deleteSubscription: db.prepare<[string]>('DELETE FROM push_subscriptions WHERE endpoint = ?'),
  }

  /** Replaces a stored event by its deliveries in one transaction: none lost, none doubled. */
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
    /** Turns one event into its deliveries (none when no target wants it). */
    expandEvent(event: NotificationEventRow, deliveries: NewDelivery[]): void {
      expand(event, deliveries)
    },
    /** Accepted by the target (2xx), given up, or the target is gone. */
    deleteDelivery(id: string): void {
      statements.deleteDelivery.run(id)
    },
    rescheduleDelivery(id: string, nextAttemptAt: string, lastError: string): void {
      statements.reschedule.run({ id, next_attempt_at: nextAttemptAt, last_error: lastError })
    },
    saveSubscription(row: PushSubscriptionRow): void {
      statements.upsertSubscription.run(row)
    },
    /** Removes a subscription and whatever was still to be sent to it; false when it was unknown. */
    deleteSubscription(endpoint: string, target: string): boolean {
      return forgetSubscription(endpoint, target)
    },
  }
}
