// Long poll support: requests waiting for a download to end. One listener on DownloadEvents serves
// every waiter (keyed by download id), so a thousand waiting phones cost one Map lookup per event.
// A waiter ends on the download's final status (or deletion), on its timeout, when its client goes
// away, or when the server closes — and is removed from the map in every case.
import type { DownloadEvents, DownloadEventMap } from '../core/events.js'
import type { DownloadStatus } from '../core/types.js'

/** Statuses after which nothing more happens unless someone acts. */
export const FINAL_STATUSES: ReadonlySet<DownloadStatus> = new Set(['completed', 'failed', 'cancelled'])

/** Why a wait ended. */
export type WaitEnd = 'final' | 'timeout' | 'aborted' | 'closing'

export interface FinalStatusWaiters {
  /**
   * Resolves when download `id` reaches a final status or is deleted, after `timeoutMs`, when `signal`
   * aborts, or when the server closes. Register before reading the row, so no event is missed.
   * Undefined when `limit` waits are already open (the caller answers at once instead).
   */
  wait(id: string, timeoutMs: number, signal: AbortSignal): Promise<WaitEnd> | undefined
  /** how many waits are open */
  size(): number
  /** ends every wait (server shutdown) and stops listening */
  close(): void
}

export function createFinalStatusWaiters(events: DownloadEvents, limit = 1000): FinalStatusWaiters {
  const waiting = new Map<string, Set<(end: WaitEnd) => void>>()
  let open = 0

  const onStatus = ({ id, status }: DownloadEventMap['status'][0]) => {
    if (status !== null && !FINAL_STATUSES.has(status)) return
    for (const finish of waiting.get(id) ?? []) finish('final')
  }
  events.on('status', onStatus)

  return {
    wait(id, timeoutMs, signal) {
      if (open >= limit) return undefined
      return new Promise<WaitEnd>((resolve) => {
        let set = waiting.get(id)
        if (!set) waiting.set(id, (set = new Set()))
        open++
        const finish = (end: WaitEnd) => {
          if (!set.delete(finish)) return
          open--
          if (set.size === 0 && waiting.get(id) === set) waiting.delete(id)
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          resolve(end)
        }
        const onAbort = () => finish('aborted')
        const timer = setTimeout(() => finish('timeout'), timeoutMs)
        set.add(finish)
        if (signal.aborted) finish('aborted')
        else signal.addEventListener('abort', onAbort, { once: true })
      })
    },
    size: () => open,
    close() {
      events.off('status', onStatus)
      for (const set of [...waiting.values()]) for (const finish of [...set]) finish('closing')
    },
  }
}
