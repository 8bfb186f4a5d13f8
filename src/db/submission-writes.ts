// The client-facing writes of the downloads table, as statements on the write connection: a
// submission (idempotency check, dedupe, insert), deleting a download, pruning idempotency keys.
// Only the writer thread (writer-thread.ts) builds these; the rest of the code uses
// downloads-repository.ts, whose reads run on the main thread's read-only connection.
import type { Db } from './open.js'
import type { DownloadRow } from '../core/types.js'
import { submitAnswer } from '../intake/submit-answer.js'

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

/** Plain data: it crosses to the writer thread. The stored replay is submitAnswer()'s. */
export interface SubmitOptions {
  deduplicate: boolean
  idempotency?: IdempotencyRequest | undefined
}

const LIVE_OR_DONE = `('pending','downloading','completed')`

export function createSubmissionWrites(db: Db) {
  const statements = {
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
    // Oldest first through idempotency_keys_created_at; LIMIT bounds one statement's work.
    pruneIdempotency: db.prepare<[string, number]>(`
      DELETE FROM idempotency_keys WHERE (owner, key) IN (
        SELECT owner, key FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`),
    deleteById: db.prepare<[string]>('DELETE FROM downloads WHERE id = ?'),
  }

  // One transaction (a savepoint of the writer's group commit): the idempotency check, the dedupe
  // check and the insert see the same state, and the caller answers only after the commit.
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
      const response = submitAnswer(outcome)
      statements.idempotencyPut.run(idem.owner, idem.key, idem.request_hash, response.status_code, JSON.stringify(response.body), submission.now)
    }
    return outcome
  })

  return {
    submit(submission: NewSubmission, options: SubmitOptions): SubmitOutcome {
      return submitTx.immediate(submission, options)
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

export type SubmissionWrites = ReturnType<typeof createSubmissionWrites>
