// Tells write health about every write's outcome: a storage refusal makes health `degraded` with a
// `database` check (SPEC §2), the next commit clears it. One wrapper, so no write path can forget.
import { isStorageError, type WriteHealth } from './write-health.js'
import type { Writer } from './write-targets.js'

export function observedWriter(writer: Writer, health: WriteHealth): Writer {
  return {
    async call(target, method, ...args) {
      try {
        const value = await writer.call(target, method, ...args)
        health.succeeded()
        return value
      } catch (err) {
        if (isStorageError(err)) health.failed(err)
        throw err
      }
    },
    stop: () => writer.stop(),
  }
}
