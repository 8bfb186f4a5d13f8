// GET /api/v1/events read with fetch(): EventSource cannot send the X-API-Key header.
// Reconnects with a growing delay; the caller polls while the stream is down (onState).

const FIRST_RETRY_MS = 1000
const MAX_RETRY_MS = 15_000

/** Parses one SSE block ("id: n\nevent: x\ndata: {...}") into { id, event, data }, or null for comments and retry hints. */
function parseBlock(block) {
  let event = 'message'
  let id = null
  const data = []
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('id:')) id = line.slice(3).trim()
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
  }
  if (data.length === 0) return null
  try {
    return { id, event, data: JSON.parse(data.join('\n')) }
  } catch {
    return null
  }
}

async function readEvents(body, onEvent) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const parsed = parseBlock(buffer.slice(0, end))
      buffer = buffer.slice(end + 2)
      if (parsed) onEvent(parsed)
    }
  }
}

/**
 * Keeps a stream open until stop(). onState gets 'live' once connected, 'down' when the stream
 * fails or ends, and 'unauthorized' (then it gives up) when the key is refused.
 */
export function openEventStream({ getKey, onEvent, onState }) {
  let stopped = false
  let controller = null
  let wake = null
  let retryMs = FIRST_RETRY_MS
  let reconnectAtOnce = false
  // Sent back on reconnect, so the server replays what was missed (or sends a snapshot).
  let lastEventId = null

  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  async function run() {
    while (!stopped) {
      controller = new AbortController()
      try {
        const response = await fetch('/api/v1/events', {
          headers: { 'X-API-Key': getKey() ?? '', Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
          cache: 'no-store',
          signal: controller.signal,
        })
        if (response.status === 401) {
          onState('unauthorized')
          return
        }
        if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`)
        retryMs = FIRST_RETRY_MS
        onState('live')
        await readEvents(response.body, (parsed) => {
          if (parsed.id) lastEventId = parsed.id
          onEvent(parsed)
        })
      } catch {
        // a dropped connection, a sleeping phone, a restarting server: all end up retrying below
      }
      if (stopped) return
      onState('down')
      if (!reconnectAtOnce) {
        await pause(retryMs)
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
      }
      reconnectAtOnce = false
    }
  }
  void run()

  return {
    /**
     * Opens a fresh stream at once: after the phone slept, the old one may look open but be dead
     * (iOS drops sockets of background tabs without telling the page).
     */
    reconnectNow() {
      retryMs = FIRST_RETRY_MS
      reconnectAtOnce = true
      controller?.abort()
      wake?.()
    },
    stop() {
      stopped = true
      controller?.abort()
      wake?.()
    },
  }
}
