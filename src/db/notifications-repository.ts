// The notification outbox: events written by triggers next to the job's state (migration 3), the
// deliveries made from them (one per target), and the Web Push subscriptions of installed web apps.
// Reads run on the caller's connection; every write is a call to the writer (notification-writes.ts).
import type { Db } from './open.js'
import type { Writer } from './write-targets.js'
import { createInlineWriter } from './writer-inline.js'
import type { DeliveryRow, NewDelivery, NotificationEventRow, PushSubscriptionRow } from './notification-rows.js'

export type { DeliveryRow, NewDelivery, NotificationEventName, NotificationEventRow, PushSubscriptionRow } from './notification-rows.js'

/** Without a writer (commands, tests), writes run in-process on `db`. */
export function createNotificationsRepository(db: Db, writer: Writer = createInlineWriter(db)) {
  const statements = {
    events: db.prepare<[number], NotificationEventRow>('SELECT * FROM notification_events ORDER BY seq LIMIT ?'),
    due: db.prepare<[string, number], DeliveryRow>(
      'SELECT * FROM notification_deliveries WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
    ),
    earliest: db.prepare<[], { at: string | null }>('SELECT min(next_attempt_at) AS at FROM notification_deliveries'),
    countDeliveries: db.prepare<[], number>('SELECT count(*) FROM notification_deliveries').pluck(),
    subscriptions: db.prepare<[], PushSubscriptionRow>('SELECT * FROM push_subscriptions ORDER BY created_at'),
    subscription: db.prepare<[string], PushSubscriptionRow>('SELECT * FROM push_subscriptions WHERE endpoint = ?'),
  }

  return {
    /** The oldest stored events, not yet turned into deliveries. */
    pendingEvents(limit = 100): NotificationEventRow[] {
      return statements.events.all(limit)
    },
    /** Turns one event into its deliveries (none when no target wants it), in one commit. */
    expandEvent(event: NotificationEventRow, deliveries: NewDelivery[]): Promise<void> {
      return writer.call('notifications', 'expandEvent', event, deliveries)
    },
    dueDeliveries(now: string, limit: number): DeliveryRow[] {
      return statements.due.all(now, limit)
    },
    earliestDelivery(): string | undefined {
      return statements.earliest.get()?.at ?? undefined
    },
    /** Accepted by the target (2xx), given up, or the target is gone. */
    deleteDelivery(id: string): Promise<void> {
      return writer.call('notifications', 'deleteDelivery', id)
    },
    rescheduleDelivery(id: string, nextAttemptAt: string, lastError: string): Promise<void> {
      return writer.call('notifications', 'rescheduleDelivery', id, nextAttemptAt, lastError)
    },
    countDeliveries(): number {
      return statements.countDeliveries.get()!
    },
    saveSubscription(row: PushSubscriptionRow): Promise<void> {
      return writer.call('notifications', 'saveSubscription', row)
    },
    listSubscriptions(): PushSubscriptionRow[] {
      return statements.subscriptions.all()
    },
    findSubscription(endpoint: string): PushSubscriptionRow | undefined {
      return statements.subscription.get(endpoint)
    },
    /** Removes a subscription and whatever was still to be sent to it; false when it was unknown. */
    deleteSubscription(endpoint: string, target: string): Promise<boolean> {
      return writer.call('notifications', 'deleteSubscription', endpoint, target)
    },
  }
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>
