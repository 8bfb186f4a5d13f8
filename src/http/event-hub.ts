// The live events of GET /api/v1/events, numbered and kept for a while so a client that lost its
// connection can ask for what it missed (Last-Event-ID). One listener on the in-process events
// feeds every open stream; each stream renders events for its own reader (file links are per key).
//
// Ids are "<boot>-<seq>": the boot part is new on every start, so an id from before a restart is
// recognised as one this server cannot replay (it answers with a snapshot instead), and so is an
// id older than the oldest event still held.
import { randomBytes } from 'node:crypto'
import type { DownloadEventMap, DownloadEvents } from '../core/events.js'
import type { DownloadProgress } from '../core/types.js'

/** Events held for replay: a few minutes of a busy household's progress. */
export const REPLAY_CAPACITY = 2000

export type HubEvent =
  | { id: string; seq: number; type: 'status'; download_id: string }
  | { id: string; seq: number; type: 'progress'; download_id: string; progress: DownloadProgress }

/** What a reconnecting client gets: the events it missed, or a snapshot when they are not held. */
export type Resume = { kind: 'replay'; events: HubEvent[] } | { kind: 'snapshot' }

export interface EventHub {
  /** the id of the newest event (or "<boot>-0" before the first) */
  latestId(): string
  /** calls `listener` with every new event until the returned function is called */
  subscribe(listener: (event: HubEvent) => void): () => void
  /** what a client that last saw `lastEventId` missed */
  resumeAfter(lastEventId: string): Resume
  close(): void
}

export function createEventHub(events: DownloadEvents, capacity = REPLAY_CAPACITY): EventHub {
  const boot = randomBytes(6).toString('base64url')
  const held: HubEvent[] = []
  const listeners = new Set<(event: HubEvent) => void>()
  let seq = 0

  const publish = (event: HubEvent) => {
    held.push(event)
    if (held.length > capacity) held.splice(0, held.length - capacity)
    for (const listener of listeners) listener(event)
  }
  const onStatus = ({ id }: DownloadEventMap['status'][0]) => {
    seq++
    publish({ id: `${boot}-${seq}`, seq, type: 'status', download_id: id })
  }
  const onProgress = ({ id, progress }: DownloadEventMap['progress'][0]) => {
    seq++
    publish({ id: `${boot}-${seq}`, seq, type: 'progress', download_id: id, progress })
  }
  events.on('status', onStatus)
  events.on('progress', onProgress)

  return {
    latestId: () => `${boot}-${seq}`,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    resumeAfter(lastEventId) {
      const match = /^([A-Za-z0-9_-]+)-(\d{1,15})$/.exec(lastEventId.trim())
      const seen = Number(match?.[2])
      if (!match || match[1] !== boot || seen > seq) return { kind: 'snapshot' }
      const oldestHeld = held[0]?.seq ?? seq + 1
      // Every event after `seen` must still be held, or something was lost in between.
      if (seen + 1 < oldestHeld) return { kind: 'snapshot' }
      return { kind: 'replay', events: condense(held.filter((event) => event.seq > seen)) }
    },
    close() {
      events.off('status', onStatus)
      events.off('progress', onProgress)
      listeners.clear()
    },
  }
}

/**
 * Missed events as a client needs them: a status event is rendered from the download's current
 * state, so only the last one per download is kept, and progress from before that download's
 * last status change is dropped (it would move a finished bar backwards).
 */
export function condense(missed: readonly HubEvent[]): HubEvent[] {
  const lastStatus = new Map<string, number>()
  missed.forEach((event, index) => {
    if (event.type === 'status') lastStatus.set(event.download_id, index)
  })
  return missed.filter((event, index) => {
    const last = lastStatus.get(event.download_id)
    return last === undefined || (event.type === 'status' ? index === last : index > last)
  })
}
