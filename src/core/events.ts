// In-process notifications between the HTTP layer, the worker and SSE subscribers.
// Nothing here is durable: the database is the truth, events only say "look again".
import { EventEmitter } from 'node:events'
import type { DownloadProgress, DownloadStatus } from './types.js'

export interface DownloadEventMap {
  /** a new pending job was committed (or a job was put back to pending): wake the worker */
  queued: [{ id: string }]
  /** status changed (any transition, including deletion as status null) */
  status: [{ id: string; status: DownloadStatus | null; error_message?: string | null }]
  /** live progress of a running attempt (the worker sends at most a few per second per job) */
  progress: [{ id: string; progress: DownloadProgress }]
}

export class DownloadEvents extends EventEmitter<DownloadEventMap> {
  constructor() {
    super()
    // One listener per SSE client; a household has a handful, a misbehaving script may have more.
    this.setMaxListeners(1000)
  }
}
