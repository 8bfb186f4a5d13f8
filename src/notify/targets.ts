// Where notifications go: the configured webhooks and ntfy topic, and every subscribed web app.
// A target's key is stored with each delivery, so a target removed from the config (or an
// unsubscribed browser) simply stops receiving: its deliveries are dropped when they come due.
import type { Config } from '../core/config.js'
import type { NotificationEventName, PushSubscriptionRow } from '../db/notifications-repository.js'

export type NotificationTarget =
  | { kind: 'webhook'; key: string; url: string; secret: string | null; events: readonly NotificationEventName[] }
  | { kind: 'ntfy'; key: string; url: string; token: string | null; events: readonly NotificationEventName[] }
  | { kind: 'push'; key: string; subscription: PushSubscriptionRow; events: readonly NotificationEventName[] }

export const pushTargetKey = (endpoint: string) => `push:${endpoint}`

/** Every target, with the events it gets: its own list within notifications.events. */
export function listTargets(config: Config, subscriptions: readonly PushSubscriptionRow[]): NotificationTarget[] {
  const { notifications } = config
  const wanted = (own: readonly NotificationEventName[] | undefined) =>
    notifications.events.filter((event) => own === undefined || own.includes(event))
  const targets: NotificationTarget[] = []
  const seen = new Set<string>()
  for (const hook of notifications.webhooks) {
    const key = `webhook:${hook.url}`
    if (seen.has(key)) continue
    seen.add(key)
    targets.push({ kind: 'webhook', key, url: hook.url, secret: hook.secret, events: wanted(hook.events) })
  }
  if (notifications.ntfy) {
    const { url, token, events } = notifications.ntfy
    targets.push({ kind: 'ntfy', key: 'ntfy', url, token, events: wanted(events) })
  }
  if (notifications.web_push.enabled) {
    for (const subscription of subscriptions) {
      targets.push({ kind: 'push', key: pushTargetKey(subscription.endpoint), subscription, events: wanted(undefined) })
    }
  }
  return targets
}
