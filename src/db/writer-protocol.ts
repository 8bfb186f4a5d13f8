// The messages between the main thread and the writer thread. Calls and replies travel in arrays:
// the calls of one event-loop turn go over in one message, the replies of one commit come back in
// one, so the per-message cost does not grow with the batch.
export interface CallMessage {
  id: number
  target: string
  method: string
  args: unknown[]
}

export type ReplyMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SentError }

/** main → writer */
export type ToWriter = { kind: 'calls'; calls: CallMessage[] } | { kind: 'stop' }

/** writer → main */
export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'replies'; replies: ReplyMessage[] } | { kind: 'checkpoint_failed'; message: string } | { kind: 'stopped' }

export interface WriterData {
  dataDir: string
  busyTimeoutMs: number
  checkpointMs: number
}

/** An error as it crosses threads: structured clone drops `code`, which callers map to a 503. */
export interface SentError {
  name: string
  message: string
  code?: string
}

export function sendError(err: unknown): SentError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) }
  const code = (err as { code?: unknown }).code
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
}

export function receiveError(sent: SentError): Error {
  const err = new Error(sent.message) as Error & { code?: string }
  err.name = sent.name
  if (sent.code !== undefined) err.code = sent.code
  return err
}
