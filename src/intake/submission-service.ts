// Accepting a link: validate, rate-limit, dedupe, honour Idempotency-Key, commit, then wake the worker.
// The answer is built only after the commit returns, so a 2xx always means "on disk".
import { NAME as CLIENT_ID } from '../core/names.js'
import { createHash, randomUUID } from 'node:crypto'
import type { Config } from '../core/config.js'
import type { DownloadsRepository, IdempotencyRequest, StoredResponse, SubmitOutcome } from '../db/downloads-repository.js'
import { submitAnswer } from './submit-answer.js'
import { AppError, storageUnavailable } from '../core/errors.js'
import type { DownloadEvents } from '../core/events.js'
import { checkSubmittedUrl, UrlRejection } from './url-policy.js'
import { siteVideoId } from './site-video-key.js'
import { createSubmissionRateLimiter, rateLimitHeaders } from './submission-rate-limit.js'
import type { Principal } from '../core/types.js'
import type { SubmitAccepted } from '../core/shapes.js'

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i

export interface SubmitRequest {
  body: { url: string; client_id?: string | undefined; timestamp?: string | number | undefined }
  principal: Principal | null
  idempotencyKey?: string | undefined
}

export interface SubmitAnswer {
  statusCode: number
  body: SubmitAccepted
  headers: Record<string, string>
}

export interface SubmissionServiceDeps {
  config: Config
  downloads: DownloadsRepository
  events: DownloadEvents
  now?: () => Date
  /** DNS resolution for allowed_domains "*" (injected by tests) */
  resolve?: (host: string) => Promise<string[]>
}

const idempotencyKeyReused = () =>
  new AppError('idempotency_key_reused')

/** SPEC §2: a replay is answered 200 with the original body and Idempotent-Replayed. */
const replayAnswer = (response: StoredResponse): SubmitAnswer => ({
  statusCode: 200,
  // Stored by submitAnswer (in the writer's commit), in the same shape.
  body: response.body as SubmitAccepted,
  headers: { 'idempotent-replayed': 'true' },
})

export function createSubmissionService(deps: SubmissionServiceDeps) {
  const now = deps.now ?? (() => new Date())
  const { security, downloads: downloadsConfig } = deps.config

  const rateLimiter = createSubmissionRateLimiter({
    limitPerHour: security.rate_limit_per_hour,
    storedSubmissionTimes: (clientId, count) =>
      deps.downloads.newestSubmittedAtByClient(clientId, count).map((iso) => Date.parse(iso)),
    now: () => now().getTime(),
  })

  function parseSharedAt(value: string | number | undefined, at: Date): string | null {
    if (value === undefined) return null
    let ms: number
    if (typeof value === 'number' || /^\d{1,12}(\.\d+)?$/.test(value)) {
      ms = Number(value) * 1000
    } else if (ISO_8601.test(value)) {
      ms = Date.parse(value)
    } else {
      throw new AppError('invalid_timestamp')
    }
    if (!Number.isFinite(ms)) throw new AppError('invalid_timestamp', 'timestamp is not a real date')
    if (ms > at.getTime() + DAY_MS) throw new AppError('invalid_timestamp', 'timestamp is more than 24 hours in the future')
    const oldest = at.getTime() - security.max_submission_age_days * DAY_MS
    if (ms < oldest) {
      throw new AppError('invalid_timestamp', `timestamp is older than ${security.max_submission_age_days} days (security.max_submission_age_days)`)
    }
    return new Date(ms).toISOString()
  }

  async function commit(...args: Parameters<DownloadsRepository['submit']>): Promise<SubmitOutcome> {
    try {
      // The writer thread batches it with the others of this moment into one fsync'd commit.
      return await deps.downloads.submit(...args)
    } catch (err) {
      // Disk full, I/O error, locked past busy_timeout, read-only, writer thread gone: nothing was promised.
      const code = (err as { code?: string }).code
      if (code?.startsWith('SQLITE_') || code === 'VDS_WRITER_UNAVAILABLE') {
        throw storageUnavailable('The download could not be stored; try again later')
      }
      throw err
    }
  }

  /** Checks the URL and timestamp and commits; everything after the client's slot is reserved. */
  async function store(
    request: SubmitRequest,
    clientId: string,
    at: Date,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<SubmitAnswer & { replayed: boolean }> {
    const { body, principal } = request
    let checked: Awaited<ReturnType<typeof checkSubmittedUrl>>
    try {
      checked = await checkSubmittedUrl(body.url, {
        allowedDomains: downloadsConfig.allowed_domains,
        maxLength: security.max_url_length,
        ...(deps.resolve ? { resolve: deps.resolve } : {}),
      })
    } catch (err) {
      if (err instanceof UrlRejection) throw new AppError(err.code, err.message)
      throw err
    }
    const sharedAt = parseSharedAt(body.timestamp, at)
    const site = siteVideoId(checked.url)

    const outcome = await commit(
      {
        id: randomUUID(),
        url: checked.url,
        normalized_url: checked.normalizedUrl,
        client_id: clientId,
        api_key_name: principal?.name ?? null,
        shared_at: sharedAt,
        now: at.toISOString(),
        site_video: site ? { key: site.key, extractor: site.extractor, video_id: site.videoId } : null,
      },
      { deduplicate: downloadsConfig.deduplicate, idempotency },
    )
    switch (outcome.kind) {
      case 'idempotency_conflict':
        throw idempotencyKeyReused()
      case 'replayed':
        return { ...replayAnswer(outcome.response), replayed: true }
      case 'created':
        deps.events.emit('queued', { id: outcome.row.id })
        deps.events.emit('status', { id: outcome.row.id, status: outcome.row.status })
    }
    const answer = submitAnswer(outcome)
    return { statusCode: answer.status_code, body: answer.body as SubmitAccepted, headers: {}, replayed: false }
  }

  return {
    async submit(request: SubmitRequest): Promise<SubmitAnswer> {
      const at = now()
      const { body, principal } = request
      if (request.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(request.idempotencyKey)) {
        throw new AppError('invalid_idempotency_key')
      }
      const clientId = body.client_id ?? principal?.name ?? 'anonymous'
      if (!CLIENT_ID.test(clientId)) {
        throw new AppError('invalid_client_id')
      }
      const idempotency = request.idempotencyKey === undefined ? undefined : {
        owner: principal?.name ?? 'anonymous',
        key: request.idempotencyKey,
        request_hash: createHash('sha256')
          .update(JSON.stringify([body.url.trim(), body.client_id ?? null, body.timestamp ?? null]))
          .digest('hex'),
      }
      // A replay is the same request again (a phone retrying after a lost answer): it gets the
      // original answer before the rate limit or the URL policy is asked again. The check is
      // repeated inside the commit for requests racing each other.
      const earlier = idempotency && deps.downloads.findIdempotentResponse(idempotency.owner, idempotency.key)
      if (earlier) {
        if (earlier.request_hash !== idempotency.request_hash) throw idempotencyKeyReused()
        const replay = replayAnswer(earlier.response)
        return { ...replay, headers: { ...replay.headers, ...rateLimitHeaders(rateLimiter.status(clientId)) } }
      }
      const slot = rateLimiter.reserve(clientId)
      let answer: SubmitAnswer & { replayed: boolean }
      try {
        answer = await store(request, clientId, at, idempotency)
      } catch (err) {
        slot.release()
        throw err
      }
      if (answer.replayed) slot.release()
      return {
        statusCode: answer.statusCode,
        body: answer.body,
        headers: { ...answer.headers, ...rateLimitHeaders(rateLimiter.status(clientId)) },
      }
    },

    /** X-RateLimit-* headers for a client; other routes use the caller's key name. Empty when the limit is off. */
    rateLimitHeaders(clientId: string): Record<string, string> {
      return rateLimitHeaders(rateLimiter.status(clientId))
    },
  }
}

export type SubmissionService = ReturnType<typeof createSubmissionService>
