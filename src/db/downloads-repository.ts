// Submissions, lookups and history: the client-facing side of the downloads table. Reads run on the
// main thread's connection; the writes (submit, delete, pruning) are calls to the writer (writer.ts)
// and settle after their commit; their statements are in submission-writes.ts. The worker's side
// (claiming, progress, outcomes) is in jobs-repository.ts.
import type { Statement } from 'better-sqlite3'
import type { Db } from './open.js'
import { DOWNLOAD_STATUSES, type DownloadRow, type DownloadStatus } from '../core/types.js'
import type { NewSubmission, StoredResponse, SubmitOptions, SubmitOutcome } from './submission-writes.js'
import type { Writer } from './write-targets.js'
import { createInlineWriter } from './writer-inline.js'

export type { IdempotencyRequest, NewSubmission, StoredResponse, SubmitOptions, SubmitOutcome } from './submission-writes.js'

export interface HistoryQuery {
  limit: number
  offset: number
  status?: DownloadStatus | undefined
  client_id?: string | undefined
  q?: string | undefined
}

/** Without a writer (tests, commands), writes run in-process on `db`. */
export function createDownloadsRepository(db: Db, writer: Writer = createInlineWriter(db)) {
  const statements = {
    byId: db.prepare<[string], DownloadRow>('SELECT * FROM downloads WHERE id = ?'),
    idempotencyGet: db.prepare<[string, string], { request_hash: string; status_code: number; response: string }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE owner = ? AND key = ?',
    ),
    counts: db.prepare<[], { status: DownloadStatus; n: number }>('SELECT status, n FROM download_counts'),
    newestSubmittedAtByClient: db
      .prepare<[string, number], string>('SELECT submitted_at FROM downloads WHERE client_id = ? ORDER BY seq DESC LIMIT ?')
      .pluck(),
  }

  // History queries vary by filter combination (at most 8 shapes): prepare each shape once.
  const cache = new Map<string, Statement>()
  const prepared = <Row>(sql: string) => {
    let statement = cache.get(sql)
    if (!statement) cache.set(sql, (statement = db.prepare(sql)))
    return statement as Statement<Record<string, unknown>[], Row>
  }

  return {
    /** The idempotency check, the dedupe check and the insert in one commit, on the writer. */
    submit(submission: NewSubmission, options: SubmitOptions): Promise<SubmitOutcome> {
      return writer.call('downloads', 'submit', submission, options)
    },

    /** The stored answer for an Idempotency-Key, with the hash of the request that made it. */
    findIdempotentResponse(owner: string, key: string): { request_hash: string; response: StoredResponse } | undefined {
      const stored = statements.idempotencyGet.get(owner, key)
      if (!stored) return undefined
      return { request_hash: stored.request_hash, response: { status_code: stored.status_code, body: JSON.parse(stored.response) } }
    },

    findById(id: string): DownloadRow | undefined {
      return statements.byId.get(id)
    },

    /** Newest first. Totals without a text or client filter come from the trigger-kept counts. */
    history(query: HistoryQuery): { rows: DownloadRow[]; total: number } {
      const where: string[] = []
      const filters: Record<string, unknown> = {}
      if (query.status) {
        where.push('status = @status')
        filters.status = query.status
      }
      if (query.client_id) {
        where.push('client_id = @client_id')
        filters.client_id = query.client_id
      }
      if (query.q) {
        where.push(`(url LIKE @q ESCAPE '\\' OR title LIKE @q ESCAPE '\\')`)
        filters.q = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      }
      const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const rows = prepared<DownloadRow>(`SELECT * FROM downloads ${whereSql} ORDER BY seq DESC LIMIT @limit OFFSET @offset`)
        .all({ ...filters, limit: query.limit, offset: query.offset })
      let total: number
      if (!query.client_id && !query.q) {
        const counts = this.countsByStatus()
        total = query.status ? counts[query.status] : Object.values(counts).reduce((a, b) => a + b, 0)
      } else {
        total = prepared<{ n: number }>(`SELECT count(*) AS n FROM downloads ${whereSql}`).get(filters)!.n
      }
      return { rows, total }
    },

    countsByStatus(): Record<DownloadStatus, number> {
      const counts = Object.fromEntries(DOWNLOAD_STATUSES.map((s) => [s, 0])) as Record<DownloadStatus, number>
      for (const { status, n } of statements.counts.all()) counts[status] = n
      return counts
    },

    /** submitted_at of the client's newest `count` submissions (index downloads_client), newest first */
    newestSubmittedAtByClient(clientId: string, count: number): string[] {
      return statements.newestSubmittedAtByClient.all(clientId, count)
    },

    /** Deletes up to `limit` idempotency keys stored before `before` (ISO); returns how many. */
    pruneIdempotencyKeys(before: string, limit: number): Promise<number> {
      return writer.call('downloads', 'pruneIdempotencyKeys', before, limit)
    },

    deleteById(id: string): Promise<boolean> {
      return writer.call('downloads', 'deleteById', id)
    },
  }
}

export type DownloadsRepository = ReturnType<typeof createDownloadsRepository>
