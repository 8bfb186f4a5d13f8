// The writer thread's entry: the only connection that writes. Calls from the main thread run in
// group commits (group-commit.ts), so one fsync (synchronous=FULL) covers every call of a batch and
// none of them runs on the event loop; each reply is sent only after its COMMIT returned. The same
// thread checkpoints the WAL (PASSIVE, between batches), so there is one extra thread, not two.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from './open.js'
import { createGroupCommit } from './group-commit.js'
import { createWriteTargets, dispatch } from './write-targets.js'
import { sendError, type FromWriter, type ReplyMessage, type ToWriter, type WriterData } from './writer-protocol.js'

const port = parentPort!
const data = workerData as WriterData
// The schema is already current (the main thread migrated before starting this thread).
const db = openDatabase(data.dataDir, { autoCheckpoint: false, busyTimeoutMs: data.busyTimeoutMs })
const group = createGroupCommit(db)
const targets = createWriteTargets(db)
const post = (message: FromWriter) => port.postMessage(message)

let replies: ReplyMessage[] = []
const reply = (message: ReplyMessage) => {
  // The replies of one batch settle in one microtask run: send them together.
  if (replies.length === 0) queueMicrotask(flushReplies)
  replies.push(message)
}
function flushReplies() {
  if (replies.length === 0) return
  post({ kind: 'replies', replies })
  replies = []
}

let dirty = false
const checkpoint = setInterval(() => {
  if (!dirty) return
  dirty = false
  try {
    // PASSIVE: never waits for the main thread's readers; what it cannot copy now, it copies later.
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (err) {
    dirty = true
    post({ kind: 'checkpoint_failed', message: (err as Error).message })
  }
}, data.checkpointMs)

port.on('message', (message: ToWriter) => {
  if (message.kind === 'stop') return void stop()
  for (const call of message.calls) {
    group.run(() => dispatch(targets, call.target, call.method, call.args)).then(
      (value) => reply({ id: call.id, ok: true, value }),
      (err: unknown) => reply({ id: call.id, ok: false, error: sendError(err) }),
    )
    dirty = true
  }
})

post({ kind: 'ready' })

async function stop() {
  // Group commit keeps order: this settles after every call received before 'stop'.
  await group.run(() => undefined)
  clearInterval(checkpoint)
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch (err) {
    post({ kind: 'checkpoint_failed', message: (err as Error).message })
  }
  db.close()
  flushReplies()
  post({ kind: 'stopped' })
  port.close()
}
