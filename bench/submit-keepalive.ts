// SPEC §7: durable submissions over HTTPS at 32 keep-alive connections, p99 ≤ 10 ms.
// Every request carries a new link, so each 201 is one fsync'd row; the row count is checked after.
import Database from 'better-sqlite3'
import { startServerProcess } from '../test/helpers/server-process.js'
import type { Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG } from './server-config.js'
import { assertNoWrkErrors, runWrk } from './wrk.js'

const CONNECTIONS = 32
const THREADS = 1
const DURATION_SECONDS = 10

export const submitKeepAlive: Measurement = {
  name: 'submit-keepalive',
  description: `durable submissions, ${CONNECTIONS} keep-alive connections, ${DURATION_SECONDS} s`,
  async run({ tempDir }) {
    const server = await startServerProcess({ dir: tempDir('vds-bench-submit-'), config: BENCH_SERVER_CONFIG })
    let result
    try {
      result = await runWrk({
        url: `${server.url}/api/v1/download`,
        script: 'submit',
        scriptArgs: [String(Date.now() % 1000)],
        headers: { 'X-API-Key': server.apiKey },
        connections: CONNECTIONS,
        threads: THREADS,
        durationSeconds: DURATION_SECONDS,
      })
      assertNoWrkErrors(result, 'submissions')
    } finally {
      await server.stop()
    }
    const stored = countRows(server.databaseFile)
    // wrk counts only answered requests; ones in flight when it stopped may have been stored too.
    if (stored < result.requests) throw new Error(`${result.requests} submissions answered but only ${stored} rows stored`)
    const detail = `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION_SECONDS}s, ${result.requests} requests, ${stored} rows stored`
    return [
      { id: 'submit_keepalive_rps', label: 'Durable submissions/s (32 keep-alive)', value: result.requestsPerSecond, unit: 'req/s', detail },
      { id: 'submit_keepalive_p50_ms', label: 'Submission p50 (32 keep-alive)', value: result.p50Ms, unit: 'ms', detail },
      { id: 'submit_keepalive_p99_ms', label: 'Submission p99 (32 keep-alive)', value: result.p99Ms, unit: 'ms', target: 10, detail },
    ]
  },
}

function countRows(databaseFile: string): number {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true })
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM downloads').get()!.n
  } finally {
    db.close()
  }
}
