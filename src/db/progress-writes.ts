// Progress writes coalesced per job: while one is on its way to the writer, newer values replace
// each other and only the newest follows, so a slow commit (a busy disk) never builds a queue of
// stale progress. Every caller's promise settles with the write that carried its value or a newer one.
import type { DownloadProgress } from '../core/types.js'

type Send = (id: string, progress: DownloadProgress, now: string) => Promise<boolean>

interface Next {
  progress: DownloadProgress
  now: string
  waiters: { resolve: (written: boolean) => void; reject: (err: unknown) => void }[]
}

export function createProgressWrites(send: Send) {
  const inFlight = new Set<string>()
  const next = new Map<string, Next>()

  const start = (id: string, progress: DownloadProgress, now: string): Promise<boolean> => {
    inFlight.add(id)
    return send(id, progress, now).finally(() => {
      inFlight.delete(id)
      const queued = next.get(id)
      if (!queued) return
      next.delete(id)
      start(id, queued.progress, queued.now).then(
        (written) => queued.waiters.forEach((w) => w.resolve(written)),
        (err: unknown) => queued.waiters.forEach((w) => w.reject(err)),
      )
    })
  }

  return {
    write(id: string, progress: DownloadProgress, now: string): Promise<boolean> {
      if (!inFlight.has(id)) return start(id, progress, now)
      return new Promise<boolean>((resolve, reject) => {
        const queued = next.get(id) ?? { progress, now, waiters: [] }
        queued.progress = progress
        queued.now = now
        queued.waiters.push({ resolve, reject })
        next.set(id, queued)
      })
    },
  }
}
