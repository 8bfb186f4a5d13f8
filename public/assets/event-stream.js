// GET /api/v1/events through the browser's own EventSource: the session cookie authenticates it,
// and while the connection only drops, EventSource reconnects by itself and sends Last-Event-ID,
// so the server replays what was missed (or sends a snapshot). An answer that is not a stream
// (401, 503 too many streams) closes it for good; then the session is checked and, if it still
// holds, a new stream is opened after a growing delay. The caller polls while the stream is down.
// A new EventSource starts without a Last-Event-ID of its own, so the page remembers the last id it
// saw and sends it as ?last_event_id= whenever it opens one itself (after such a failure, when the
// tab comes back, after signing in again): what happened meanwhile is replayed, or a snapshot sent.
import { api } from './api.js'

const FIRST_RETRY_MS = 1000
const MAX_RETRY_MS = 15_000
const EVENTS = ['status', 'progress', 'snapshot']

/** the id of the newest event this page received, across all its streams */
let lastEventId = ''

function eventsUrl() {
  return lastEventId ? `/api/v1/events?last_event_id=${encodeURIComponent(lastEventId)}` : '/api/v1/events'
}

/**
 * Keeps a stream open until stop(). onState gets 'live' once connected, 'down' when the stream
 * fails, and 'unauthorized' (then it gives up) when the session has ended.
 */
export function openEventStream({ onEvent, onState }) {
  let source = null
  let stopped = false
  let retryTimer = null
  let retryMs = FIRST_RETRY_MS

  function open() {
    clearTimeout(retryTimer)
    source?.close()
    source = new EventSource(eventsUrl())
    source.addEventListener('open', () => {
      retryMs = FIRST_RETRY_MS
      onState('live')
    })
    source.addEventListener('error', () => {
      if (stopped) return
      onState('down')
      if (source.readyState === EventSource.CLOSED) void reopenLater()
    })
    for (const name of EVENTS) {
      source.addEventListener(name, (message) => {
        if (message.lastEventId) lastEventId = message.lastEventId
        try {
          onEvent({ id: message.lastEventId, event: name, data: JSON.parse(message.data) })
        } catch {
          // a malformed event is skipped; the next status event or the poll brings the facts
        }
      })
    }
  }

  async function reopenLater() {
    try {
      await api.whoAmI()
    } catch (error) {
      if (error.status === 401) {
        stopped = true
        return onState('unauthorized')
      }
    }
    if (stopped) return
    retryTimer = setTimeout(open, retryMs)
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
  }

  open()

  return {
    /**
     * Opens a fresh stream at once: after the phone slept, the old one may look open but be dead
     * (iOS drops sockets of background tabs without telling the page).
     */
    reconnectNow() {
      if (stopped) return
      retryMs = FIRST_RETRY_MS
      open()
    },
    stop() {
      stopped = true
      clearTimeout(retryTimer)
      source?.close()
    },
  }
}
