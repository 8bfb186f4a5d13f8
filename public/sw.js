// The web app's service worker: shows the server's Web Push messages as notifications and opens
// a notification's link (the downloaded file, or the app) when it is tapped. Served from the root
// so its scope is the whole app. The payload is what docs/notifications.md describes:
// {event, download_id, title, body, url, tag}.
/* global self */

const APP_NAME = 'Video Download Server'

self.addEventListener('install', () => {
  // Nothing to cache: the new worker may take over at once.
  self.skipWaiting()
})

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

function readPayload(event) {
  if (!event.data) return {}
  try {
    return event.data.json()
  } catch {
    return { body: event.data.text() }
  }
}

/** Only http(s) links, on any host: file links may name the server's public address. */
function safeUrl(url) {
  try {
    const parsed = new URL(url, self.registration.scope)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : self.registration.scope
  } catch {
    return self.registration.scope
  }
}

self.addEventListener('push', (event) => {
  const message = readPayload(event)
  const options = {
    body: message.body ?? '',
    icon: '/assets/icon.svg',
    // One notification per download: a later event for it replaces the earlier one.
    tag: message.tag ?? message.download_id ?? undefined,
    data: { url: safeUrl(message.url ?? '/') },
  }
  event.waitUntil(self.registration.showNotification(message.title ?? APP_NAME, options))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = event.notification.data?.url ?? self.registration.scope
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      const open = windows.find((client) => client.url === url)
      if (open) return open.focus()
      return self.clients.openWindow(url)
    })(),
  )
})
