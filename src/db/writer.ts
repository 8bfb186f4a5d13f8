// The main thread's side of the writer thread (writer-thread.ts): every write goes there as a
// message and its promise settles with the reply, which the thread sends only after the commit.
// The event loop never runs a commit or its fsync. If the thread dies, what was in flight is
// rejected (a 503 for a submission; a kept job state is retried) and a new thread is started.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { WriterUnavailableError, type Writer } from './write-targets.js'
import { receiveError, type CallMessage, type FromWriter, type ToWriter, type WriterData } from './writer-protocol.js'

export interface WriterOptions {
  /** how long the writer waits for another process's write lock before SQLITE_BUSY (a 503) */
  busyTimeoutMs?: number
  checkpointMs?: number
  onCheckpointError?: (message: string) => void
  /** the thread died unexpectedly (it is started again) */
  onCrash?: (err: unknown) => void
  /** how soon a dead thread is started again */
  restartMs?: number
}

interface Waiting {
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

// Under tsx (tests) the sources are .ts, from dist/ .js: the thread's file has this file's extension.
const EXTENSION = path.extname(fileURLToPath(import.meta.url))
const THREAD_FILE = new URL(`./writer-thread${EXTENSION}`, import.meta.url)
// Node 20 does not carry tsx's loader hooks into a worker: under tsx the thread registers them first.
// tsx is resolved from this file, not from the thread: an eval'd thread resolves bare names from the
// working directory, and a CLI test runs the server from a temp folder with no node_modules.
const tsxBootstrap = () =>
  `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD_FILE.href)}) })`

/** Starts the writer thread; resolves once its connection is open (rejects with the open's error). */
export async function startWriter(dataDir: string, options: WriterOptions = {}): Promise<Writer> {
  const writer = spawnWriter(dataDir, options)
  await writer.ready
  return writer
}

/**
 * Starts the writer thread without waiting for it: calls made meanwhile wait in the thread's message
 * queue and run once its connection is open. `ready` settles as startWriter's promise does, so
 * main.ts builds the HTTP app while the thread starts (about 0.4 s, most of it the new isolate).
 */
export function spawnWriter(dataDir: string, options: WriterOptions = {}): Writer & { ready: Promise<void> } {
  const data: WriterData = { dataDir, busyTimeoutMs: options.busyTimeoutMs ?? 100, checkpointMs: options.checkpointMs ?? 500 }
  const waiting = new Map<number, Waiting>()
  let nextId = 1
  let outbox: CallMessage[] = []
  let stopping: Promise<void> | undefined
  let worker: Worker
  let stopped: () => void = () => {}
  // A thread that failed to start has exited before main.ts's clean-up stops it.
  let exited = false

  const failAll = (err: unknown) => {
    for (const pending of waiting.values()) pending.reject(err)
    waiting.clear()
    outbox = []
  }

  const spawn = () =>
    new Promise<void>((ready, failed) => {
      let started = false
      worker = new Worker(EXTENSION === '.ts' ? tsxBootstrap() : THREAD_FILE, {
        eval: EXTENSION === '.ts',
        workerData: data,
        // Small heaps: the thread holds statements and one batch of rows at a time (~7 MB RSS).
        resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
      })
      worker.on('message', (message: FromWriter) => {
        switch (message.kind) {
          case 'ready':
            started = true
            // Held open only while a write waits for its reply (or while stopping, which a failed
            // start may begin before the thread is ready): never a lone keep-alive.
            if (waiting.size === 0 && !stopping) worker.unref()
            return ready()
          case 'replies':
            for (const reply of message.replies) {
              const pending = waiting.get(reply.id)
              waiting.delete(reply.id)
              if (waiting.size === 0 && !stopping) worker.unref()
              if (reply.ok) pending?.resolve(reply.value)
              else pending?.reject(receiveError(reply.error))
            }
            return
          case 'checkpoint_failed':
            return options.onCheckpointError?.(message.message)
          case 'stopped':
            return stopped()
        }
      })
      worker.on('error', (err) => {
        if (!started) return failed(err)
        options.onCrash?.(err)
      })
      exited = false
      worker.on('exit', () => {
        exited = true
        // A reply lost with the thread: its commit may or may not have happened; the caller retries.
        failAll(new WriterUnavailableError(stopping ? 'stopped' : 'its thread exited'))
        if (started && !stopping) setTimeout(() => void spawn().catch((err: unknown) => options.onCrash?.(err)), options.restartMs ?? 1000).unref()
      })
    })

  const flush = () => {
    if (outbox.length === 0) return
    worker.postMessage({ kind: 'calls', calls: outbox } satisfies ToWriter)
    outbox = []
  }

  const ready = spawn()
  // Never an unhandled rejection while the caller is busy elsewhere; awaiting `ready` rethrows.
  ready.catch(() => {})
  return {
    ready,
    call(target, method, ...args) {
      if (stopping) return Promise.reject(new WriterUnavailableError('stopped'))
      return new Promise((resolve, reject) => {
        const id = nextId++
        if (waiting.size === 0) worker.ref()
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })
        // The calls of this turn go over together and join one commit there.
        if (outbox.length === 0) queueMicrotask(flush)
        outbox.push({ id, target, method, args })
      })
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve()
        worker.ref()
        flush()
        stopped = resolve
        worker.once('exit', () => resolve())
        worker.postMessage({ kind: 'stop' } satisfies ToWriter)
      })
      return stopping
    },
  }
}
