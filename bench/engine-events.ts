// Status changes read from the server's Server-Sent Events stream (/api/v1/events), for the engine
// benchmarks: the server writes the event the moment the status changes, so the arrival time is
// exact to the event loop, where polling the status route would add up to a polling interval.
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { ServerProcess } from '../test/helpers/server-process.js'

/** A live subscription to status events; times are `performance.now()` in this process. */
export interface StatusEvents {
  /** resolves with when `id` reached `status`, also if that happened before the call; rejects on `failed` or timeout */
  reached(id: string, status: string, timeoutMs: number): Promise<number>
  close(): void
}

interface StatusEvent {
  download_id: string
  status: string | null
  error_message?: string | null
}

/** Opens the stream and resolves once the server has answered, so no later change is missed. */
export async function listenToStatusEvents(server: ServerProcess): Promise<StatusEvents> {
  const seenAt = new Map<string, number>()
  const failures = new Map<string, string>()
  const wake = new Set<() => void>()
  const response = await openStream(server)
  let buffer = ''
  response.setEncoding('utf8').on('data', (chunk: string) => {
    const receivedAt = performance.now()
    buffer += chunk
    const blocks = buffer.split('\n\n')
    buffer = blocks.pop() ?? ''
    for (const block of blocks) {
      const event = parseStatusBlock(block)
      if (!event || event.status === null) continue
      seenAt.set(`${event.download_id} ${event.status}`, receivedAt)
      if (event.status === 'failed') failures.set(event.download_id, event.error_message ?? 'no message')
    }
    for (const notify of wake) notify()
  })

  return {
    reached: (id, status, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const at = seenAt.get(`${id} ${status}`)
          const failure = failures.get(id)
          if (at === undefined && failure === undefined) return
          done()
          if (at !== undefined) resolve(at)
          else reject(new Error(`download ${id} failed: ${failure}`))
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`download ${id} did not reach ${status} within ${timeoutMs} ms`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          wake.delete(check)
        }
        wake.add(check)
        check()
      }),
    close: () => response.destroy(),
  }
}

function openStream(server: ServerProcess): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = https.get(`${server.url}/api/v1/events`, { agent: false, ca: server.ca ?? undefined, headers: { 'x-api-key': server.apiKey } })
    request.once('error', reject)
    request.once('response', (response) => {
      if (response.statusCode === 200) return resolve(response)
      response.destroy()
      reject(new Error(`GET /api/v1/events answered ${response.statusCode}`))
    })
  })
}

/** The data of an `event: status` block; progress events and comments are skipped. */
function parseStatusBlock(block: string): StatusEvent | undefined {
  const lines = block.split('\n')
  if (!lines.includes('event: status')) return undefined
  const data = lines.find((line) => line.startsWith('data: '))
  return data === undefined ? undefined : (JSON.parse(data.slice('data: '.length)) as StatusEvent)
}
