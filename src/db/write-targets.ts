// Everything that writes, as one object of synchronous methods over the write connection. The writer
// thread builds it (writer-thread.ts) and runs each call it receives inside its group commit; tests
// and the CLI may build it in-process (writer-inline.ts). Its type is the writer's message protocol.
import type { Db } from './open.js'
import { createJobWrites } from './job-writes.js'
import { createKeyWrites } from './key-writes.js'
import { createNotificationWrites } from './notification-writes.js'
import { createPairingWrites } from './pairing-writes.js'
import { createSubmissionWrites } from './submission-writes.js'
import { probeWrite } from './write-health.js'

export function createWriteTargets(db: Db) {
  const probe = probeWrite(db)
  return {
    downloads: createSubmissionWrites(db),
    jobs: createJobWrites(db),
    keys: createKeyWrites(db),
    pairings: createPairingWrites(db),
    notifications: createNotificationWrites(db),
    health: {
      /** one no-op write: whether the database takes writes again */
      probe(): void {
        probe()
      },
    },
  }
}

export type WriteTargets = ReturnType<typeof createWriteTargets>
export type WriteTarget = keyof WriteTargets
type AnyFunction = (...args: never[]) => unknown
export type WriteMethod<T extends WriteTarget> = { [M in keyof WriteTargets[T]]: WriteTargets[T][M] extends AnyFunction ? M : never }[keyof WriteTargets[T]] & string
type Fn<T extends WriteTarget, M extends WriteMethod<T>> = WriteTargets[T][M] extends (...args: infer A) => infer R ? (...args: A) => R : never
export type WriteArgs<T extends WriteTarget, M extends WriteMethod<T>> = Parameters<Fn<T, M>>
export type WriteResult<T extends WriteTarget, M extends WriteMethod<T>> = ReturnType<Fn<T, M>>

/** One place that writes; every method's promise settles after its commit returned. */
export interface Writer {
  call<T extends WriteTarget, M extends WriteMethod<T>>(target: T, method: M, ...args: WriteArgs<T, M>): Promise<WriteResult<T, M>>
  /** Commits what was already asked, then stops; later calls reject with WriterUnavailableError. */
  stop(): Promise<void>
}

/** The writer is gone (stopped, or its thread died): nothing was stored. A storage error, so a 503. */
export class WriterUnavailableError extends Error {
  override name = 'WriterUnavailableError'
  readonly code = 'VDS_WRITER_UNAVAILABLE'
  constructor(why: string) {
    super(`the database writer is not running (${why}); nothing was stored`)
  }
}

/** Runs one received call; throws what the statement throws. */
export function dispatch(targets: WriteTargets, target: string, method: string, args: unknown[]): unknown {
  const object = (targets as unknown as Record<string, Record<string, unknown> | undefined>)[target]
  const fn = object?.[method]
  if (typeof fn !== 'function') throw new Error(`unknown write ${target}.${method}`)
  return (fn as (...a: unknown[]) => unknown).apply(object, args)
}
