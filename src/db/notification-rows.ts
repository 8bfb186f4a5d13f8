// The outbox's rows as stored (migration 3): shared by its reads (notifications-repository.ts) and
// its writes (notification-writes.ts, on the writer thread).

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
