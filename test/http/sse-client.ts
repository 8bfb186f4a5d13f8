// A client of GET /api/v1/events over real HTTP for tests: the parsed events (id, event, data) as
// they arrive, a wait for a number of them, and the end of the stream.
import assert from 'node:assert/strict'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { TestContext } from 'node:test'

export interface SseEvent {
  id: string | undefined
  event: string
  data: {
    download_id?: string
    status?: string | null
    progress?: { percent: number }
    downloads?: { download_id: string; status: string }[]
    kind?: string
    files?: { file_url: string }[]
    file_url?: string
  }
}

export interface Stream {
  statusCode: number
  headers: IncomingMessage['headers']
  events: SseEvent[]
  /** resolves once `count` events have arrived (within `timeoutMs`, default 10 s) */
  received(count: number, timeoutMs?: number): Promise<SseEvent[]>
  ended: Promise<void>
  close(): void
}

export async function openStream(t: TestContext, port: number, headers: Record<string, string>, path = '/api/v1/events'): Promise<Stream> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, resolve)
    req.on('error', reject)
    req.end()
  })
  t.after(() => res.destroy())
  const events: SseEvent[] = []
  const waiters: (() => void)[] = []
  let buffer = ''
  res.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = /^event: (.+)$/m.exec(block)?.[1]
      const data = /^data: (.+)$/m.exec(block)?.[1]
      if (event && data) events.push({ id: /^id: (.+)$/m.exec(block)?.[1], event, data: JSON.parse(data) })
    }
    for (const wake of waiters.splice(0)) wake()
  })
  const ended = new Promise<void>((resolve) => res.on('close', resolve))
  return {
    statusCode: res.statusCode ?? 0,
    headers: res.headers,
    events,
    async received(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (events.length < count) {
        assert.ok(Date.now() < deadline, `${count} events expected, got ${events.length}: ${JSON.stringify(events)}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
      return events
    },
    ended,
    close: () => res.destroy(),
  }
}

