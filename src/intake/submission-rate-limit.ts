// Submissions per client_id per hour (`security.rate_limit_per_hour`), as a sliding window.
//
// What counts: every submission that was accepted, 201 (stored) and 200 duplicate (a duplicate is
// still a request that cost a transaction, and counting it stops a loop resending one link). An
// idempotent replay does not count: it is the same request again, typically a phone retrying after
// a lost answer. Rejected submissions (4xx, 503) do not count.
//
// A slot is reserved before the submission awaits anything (DNS for allowed_domains "*"), so
// concurrent requests from one client cannot all pass the check before any is recorded; the slot is
// released when the submission fails or turns out to be a replay.
//
// Restarts: a client's window is seeded from the submitted_at of its newest stored rows the first
// time it is seen, so stored submissions keep counting across a restart (duplicates, which store
// no row, are counted in memory only).
import { AppError } from '../core/errors.js'

const HOUR_MS = 60 * 60 * 1000
const DEFAULT_MAX_CLIENTS = 10_000

/** Where a client stands, for the X-RateLimit-* headers. */
export interface RateLimitStatus {
  /** submissions allowed per hour */
  limit: number
  /** submissions left in the current window */
  remaining: number
  /** seconds until the oldest counted submission leaves the window, freeing a slot; 0 when none is counted */
  resetSeconds: number
}

/** A slot held by a submission in progress. */
export interface SlotReservation {
  /** Gives the slot back: the submission failed or was an idempotent replay. Safe to call twice. */
  release(): void
}

export interface SubmissionRateLimiterOptions {
  /** 0 turns the limit off */
  limitPerHour: number
  /** submitted_at (ms since epoch) of the client's newest stored submissions, at most `count` of them */
  storedSubmissionTimes: (clientId: string, count: number) => number[]
  now?: () => number
  /** clients kept in memory; the least recently seen is forgotten first (and re-read from the database) */
  maxClients?: number
}

export interface SubmissionRateLimiter {
  /** null when the limit is off */
  status(clientId: string): RateLimitStatus | null
  /** Reserves a slot for a submission, or throws 429 rate_limited with Retry-After. */
  reserve(clientId: string): SlotReservation
}

const NO_RESERVATION: SlotReservation = { release: () => {} }

export function createSubmissionRateLimiter(options: SubmissionRateLimiterOptions): SubmissionRateLimiter {
  const limit = options.limitPerHour
  const now = options.now ?? Date.now
  const maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS
  /** per client: times of counted submissions, oldest first */
  const windows = new Map<string, number[]>()

  function windowOf(clientId: string, at: number): number[] {
    let times = windows.get(clientId)
    if (times) {
      windows.delete(clientId) // re-inserted below: Map order is least recently seen first
    } else {
      times = options.storedSubmissionTimes(clientId, limit).sort((a, b) => a - b)
      if (windows.size >= maxClients) windows.delete(windows.keys().next().value!)
    }
    windows.set(clientId, times)
    while (times.length > 0 && times[0]! <= at - HOUR_MS) times.shift()
    return times
  }

  function statusOf(times: number[], at: number): RateLimitStatus {
    return {
      limit,
      remaining: Math.max(0, limit - times.length),
      resetSeconds: times.length === 0 ? 0 : Math.max(1, Math.ceil((times[0]! + HOUR_MS - at) / 1000)),
    }
  }

  return {
    status(clientId) {
      if (limit === 0) return null
      const at = now()
      return statusOf(windowOf(clientId, at), at)
    },

    reserve(clientId) {
      if (limit === 0) return NO_RESERVATION
      const at = now()
      const times = windowOf(clientId, at)
      if (times.length >= limit) {
        const status = statusOf(times, at)
        throw new AppError(
          'rate_limited',
          `Too many submissions from "${clientId}": at most ${limit} per hour (security.rate_limit_per_hour). Try again in ${status.resetSeconds} s.`,
          { 'retry-after': String(status.resetSeconds), ...rateLimitHeaders(status) },
        )
      }
      times.push(at)
      let held = true
      return {
        release() {
          if (!held) return
          held = false
          // The window may have been forgotten and re-read meanwhile; then there is nothing to give back.
          const index = times.lastIndexOf(at)
          if (index >= 0) times.splice(index, 1)
        },
      }
    },
  }
}

/** The X-RateLimit-* headers; X-RateLimit-Reset is in seconds from now (no clock agreement needed). */
export function rateLimitHeaders(status: RateLimitStatus | null): Record<string, string> {
  if (status === null) return {}
  return {
    'x-ratelimit-limit': String(status.limit),
    'x-ratelimit-remaining': String(status.remaining),
    'x-ratelimit-reset': String(status.resetSeconds),
  }
}
