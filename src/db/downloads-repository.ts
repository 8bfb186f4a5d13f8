// Submissions, lookups and history. All SQL for the client-facing side of the downloads table;
// the worker's side (claiming, progress, outcomes) is in jobs-repository.ts.
import type { Statement } from 'better-sqlite3'
import type { Db } from './open.js'
import { DOWNLOAD_STATUSES, type DownloadRow, type DownloadStatus } from '../core/types.js'

export interface NewSubmission {
  id: string
  url: string
  normalized_url: string
  client_id: string
  api_key_name: string | null
  shared_at: string | null
  now: string
  /** the post id the link shows ("<site>:<id>" and how a finished download records it), if any */
  site_video?: { key: string; extractor: string; video_id: string } | null
}

export interface IdempotencyRequest {
  owner: string
  key: string
  request_hash: string
}

export interface StoredResponse {
  status_code: number
  body: unknown
}

export type SubmitOutcome =
  | { kind: 'created'; row: DownloadRow }
  | { kind: 'duplicate'; row: DownloadRow }
  | { kind: 'replayed'; response: StoredResponse }
  | { kind: 'idempotency_conflict' }

export interface SubmitOptions {
  deduplicate: boolean
  idempotency?: IdempotencyRequest | undefined
  /** builds the answer stored for idempotent replays */
  respond: (outcome: { kind: 'created' | 'duplicate'; row: DownloadRow }) => StoredResponse
}

export interface HistoryQuery {
  limit: number
  offset: number
  status?: DownloadStatus | undefined
  client_id?: string | undefined
  q?: string | undefined
}

const LIVE_OR_DONE = `('pending','downloading','completed')`

export function createDownloadsRepository(db: Db) {
  const statements = {
    byId: db.prepare<[string], DownloadRow>('SELECT * FROM downloads WHERE id = ?'),
    insert: db.prepare<Omit<NewSubmission, 'site_video'> & { site_video_key: string | null }, DownloadRow>(`
      INSERT INTO downloads (id, url, normalized_url, client_id, api_key_name, status, shared_at, submitted_at, updated_at, site_video_key)
      VALUES (@id, @url, @normalized_url, @client_id, @api_key_name, 'pending', @shared_at, @now, @now, @site_video_key)
      RETURNING *`),
    activeByNormalizedUrl: db.prepare<[string], DownloadRow>(`
      SELECT * FROM downloads WHERE normalized_url = ? AND status IN ${LIVE_OR_DONE}
      ORDER BY seq DESC LIMIT 1`),
    // The same post id in another spelling of the link, or a finished download (of a short link,
    // say) that turned out to be that post.
    activeBySiteVideo: db.prepare<{ key: string; extractor: string; video_id: string }, DownloadRow>(`
      SELECT * FROM downloads
      WHERE (site_video_key = @key AND status IN ${LIVE_OR_DONE})
         OR (extractor = @extractor AND video_id = @video_id AND status = 'completed')
      ORDER BY seq DESC LIMIT 1`),
    idempotencyGet: db.prepare<[string, string], { request_hash: string; status_code: number; response: string }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE owner = ? AND key = ?',
    ),
    idempotencyPut: db.prepare(`
      INSERT INTO idempotency_keys (owner, key, request_hash, status_code, response, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    counts: db.prepare<[], { status: DownloadStatus; n: number }>('SELECT status, n FROM download_counts'),
    // Oldest first through idempotency_keys_created_at; LIMIT bounds one statement's work.
    pruneIdempotency: db.prepare<[string, number]>(`
      DELETE FROM idempotency_keys WHERE (owner, key) IN (
        SELECT owner, key FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`),
    deleteById: db.prepare<[string]>('DELETE FROM downloads WHERE id = ?'),
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

  // One IMMEDIATE transaction: the idempotency check, the dedupe check and the insert see the same
  // state, and the commit (fsync'd, synchronous=FULL) happens before the caller answers.
  const submitTx = db.transaction((submission: NewSubmission, options: SubmitOptions): SubmitOutcome => {
    const idem = options.idempotency
    if (idem) {
      const stored = statements.idempotencyGet.get(idem.owner, idem.key)
      if (stored) {
        if (stored.request_hash !== idem.request_hash) return { kind: 'idempotency_conflict' }
        return { kind: 'replayed', response: { status_code: stored.status_code, body: JSON.parse(stored.response) } }
      }
    }
    let outcome: { kind: 'created' | 'duplicate'; row: DownloadRow } | undefined
    if (options.deduplicate) {
      const site = submission.site_video
      const existing = statements.activeByNormalizedUrl.get(submission.normalized_url) ?? (site ? statements.activeBySiteVideo.get(site) : undefined)
      if (existing) outcome = { kind: 'duplicate', row: existing }
    }
    if (!outcome) {
      const { site_video, ...row } = submission
      outcome = { kind: 'created', row: statements.insert.get({ ...row, site_video_key: site_video?.key ?? null })! }
    }
    if (idem) {
      const response = options.respond(outcome)
      statements.idempotencyPut.run(
        idem.owner,
        idem.key,
        idem.request_hash,
        response.status_code,
        JSON.stringify(response.body),
        submission.now,
      )
    }
    return outcome
  })

  return {
    submit(submission: NewSubmission, options: SubmitOptions): SubmitOutcome {
      return submitTx.immediate(submission, options)
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
    pruneIdempotencyKeys(before: string, limit: number): number {
      return statements.pruneIdempotency.run(before, limit).changes
    },

    deleteById(id: string): boolean {
      return statements.deleteById.run(id).changes > 0
    },
  }
}

export type DownloadsRepository = ReturnType<typeof createDownloadsRepository>
