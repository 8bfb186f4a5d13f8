// WAL checkpoints on a worker thread. With auto-checkpoint on, every ~1000 pages one unlucky commit
// copies the WAL into the database file and fsyncs it, on the event loop: a submission then waits
// tens of milliseconds. Here a second connection on its own thread does that work every interval,
// PASSIVE (never blocking writers or readers), so commits on the main thread only append to the WAL.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

export interface Checkpointer {
  /** Stops the thread; the final TRUNCATE checkpoint is closeDatabase()'s. */
  stop(): Promise<void>
}

export interface CheckpointerOptions {
  intervalMs?: number
  onError?: (message: string) => void
}

// CommonJS source evaluated in the worker: no file to locate under tsx or in dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 1000')
db.pragma('synchronous = FULL')
if (workerData.fullfsync) db.pragma('fullfsync = ON')
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { parentPort.postMessage(String(err && err.message)) }
}, workerData.intervalMs)
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close() })
`

export function startCheckpointer(databaseFile: string, options: CheckpointerOptions = {}): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: databaseFile,
      intervalMs: options.intervalMs ?? 500,
      fullfsync: process.platform === 'darwin',
    },
    // A small heap: this thread only runs one pragma.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  })
  worker.on('message', (message: string) => options.onError?.(message))
  worker.on('error', (err) => options.onError?.(err.message))
  worker.unref()
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  return {
    async stop() {
      // Unref'd while running so it never holds the process open; ref'd while stopping so the
      // shutdown that awaits this is not cut short by an empty event loop.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
