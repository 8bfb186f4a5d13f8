// The writer in-process, on the caller's own connection: the same write targets and the same group
// commit as the writer thread, without the thread. For tests and short-lived commands, where a
// commit on the event loop does not matter; the server uses startWriterThread (writer-thread-client.ts).
import type { Db } from './open.js'
import { createGroupCommit } from './group-commit.js'
import { createWriteTargets, dispatch, WriterUnavailableError, type Writer } from './write-targets.js'

export function createInlineWriter(db: Db): Writer {
  const group = createGroupCommit(db)
  // Built at the first write: a command that only reads (vds doctor, on a read-only connection that
  // may hold an older schema) never prepares the write statements.
  let targets: ReturnType<typeof createWriteTargets> | undefined
  let stopped = false
  return {
    call(target, method, ...args) {
      if (stopped) return Promise.reject(new WriterUnavailableError('stopped'))
      return group.run(() => dispatch((targets ??= createWriteTargets(db)), target, method, args)) as never
    },
    async stop() {
      stopped = true
      // A test may have closed the connection to see the server without its database.
      if (!db.open) return
      // Whatever was already queued commits first: group commit keeps order.
      await group.run(() => undefined)
    },
  }
}
