// The worker's side of the downloads table: claiming jobs, progress and outcomes. Every state
// change is one conditional UPDATE ... RETURNING (or a transaction), so the database decides races
// such as cancel against complete: whichever commits first wins, and the loser gets undefined.
// Every change also sets updated_at. Timestamps are ISO 8601 UTC strings, which sort as text.
import type { Db } from './open.js'
import type { DownloadProgress, DownloadResult, DownloadRow } from '../core/types.js'

/** A failed attempt as stored: a stable code and a sentence for a person. */
export interface JobError {
  code: string
  message: string
}

const CLEAR_PROGRESS = `progress_percent = NULL, downloaded_bytes = NULL, total_bytes = NULL, speed_bps = NULL, eta_seconds = NULL`
const CLEAR_RESULT = `filename = NULL, file_path = NULL, file_size = NULL, title = NULL, uploader = NULL,
  duration_seconds = NULL, thumbnail_url = NULL, extractor = NULL, video_id = NULL`

export function createJobsRepository(db: Db) {
  const statements = {
    // One statement: the SELECT and the UPDATE cannot interleave with another writer.
    claimNext: db.prepare<{ now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'downloading', started_at = @now, updated_at = @now, worker_pid = NULL,
        next_attempt_at = NULL, ${CLEAR_PROGRESS}
      WHERE id = (SELECT id FROM downloads
                  WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
                  ORDER BY seq LIMIT 1)
      RETURNING *`),
    recordPid: db.prepare<{ id: string; pid: number; now: string }>(`
      UPDATE downloads SET worker_pid = @pid, updated_at = @now WHERE id = @id AND status = 'downloading'`),
    writeProgress: db.prepare<DownloadProgress & { id: string; now: string }>(`
      UPDATE downloads SET progress_percent = @percent, downloaded_bytes = @downloaded_bytes, total_bytes = @total_bytes,
        speed_bps = @speed_bps, eta_seconds = @eta_seconds, updated_at = @now
      WHERE id = @id AND status = 'downloading'`),
    complete: db.prepare<DownloadResult & { id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'completed', completed_at = @now, updated_at = @now, worker_pid = NULL,
        error_message = NULL, error_code = NULL, progress_percent = 100, eta_seconds = 0,
        filename = @filename, file_path = @file_path, file_size = @file_size, title = @title, uploader = @uploader,
        duration_seconds = @duration_seconds, thumbnail_url = @thumbnail_url, extractor = @extractor, video_id = @video_id
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    fail: db.prepare<JobError & { id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'failed', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        error_code = @code, error_message = @message
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    scheduleRetry: db.prepare<JobError & { id: string; now: string; next_attempt_at: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, retry_count = retry_count + 1,
        next_attempt_at = @next_attempt_at, error_code = @code, error_message = @message, ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    cancel: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'cancelled', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        error_code = NULL, error_message = NULL
      WHERE id = @id AND status IN ('pending', 'downloading')
      RETURNING *`),
    // A retry asked for by a person starts over with the full retry budget; see docs/download-engine.md.
    retry: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, retry_count = 0,
        next_attempt_at = NULL, error_code = NULL, error_message = NULL, started_at = NULL, completed_at = NULL,
        ${CLEAR_PROGRESS}, ${CLEAR_RESULT}
      WHERE id = @id AND status IN ('failed', 'cancelled')
      RETURNING *`),
    // Shutdown and crash recovery: the attempt was interrupted, not failed, so no retry is counted.
    requeue: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    listDownloading: db.prepare<[], DownloadRow>(`SELECT * FROM downloads WHERE status = 'downloading' ORDER BY seq`),
    earliestScheduled: db.prepare<[], { at: string | null }>(`
      SELECT min(next_attempt_at) AS at FROM downloads WHERE status = 'pending' AND next_attempt_at IS NOT NULL`),
  }

  return {
    /** Takes the oldest runnable pending job and marks it downloading; undefined when none is due. */
    claimNext(now: string): DownloadRow | undefined {
      return statements.claimNext.get({ now })
    },

    /** Remembers the running yt-dlp's pid (its process group) for crash recovery. */
    recordPid(id: string, pid: number, now: string): boolean {
      return statements.recordPid.run({ id, pid, now }).changes > 0
    },

    /** Stores live progress; the worker calls this at most about once a second per job. */
    writeProgress(id: string, progress: DownloadProgress, now: string): boolean {
      return statements.writeProgress.run({ ...progress, id, now }).changes > 0
    },

    /** downloading → completed with the file's facts. */
    complete(id: string, result: DownloadResult, now: string): DownloadRow | undefined {
      return statements.complete.get({ ...result, id, now })
    },

    /** downloading → failed for good. */
    fail(id: string, error: JobError, now: string): DownloadRow | undefined {
      return statements.fail.get({ ...error, id, now })
    },

    /** downloading → pending with retry_count + 1, not before `nextAttemptAt`. */
    scheduleRetry(id: string, error: JobError, nextAttemptAt: string, now: string): DownloadRow | undefined {
      return statements.scheduleRetry.get({ ...error, id, now, next_attempt_at: nextAttemptAt })
    },

    /** pending | downloading → cancelled. */
    cancel(id: string, now: string): DownloadRow | undefined {
      return statements.cancel.get({ id, now })
    },

    /** failed | cancelled → pending, as new: retry_count 0, no error, no result. */
    retry(id: string, now: string): DownloadRow | undefined {
      return statements.retry.get({ id, now })
    },

    /** downloading → pending without counting a retry (shutdown, crash recovery). */
    requeue(id: string, now: string): DownloadRow | undefined {
      return statements.requeue.get({ id, now })
    },

    /** Rows left downloading; at start-up these are a crash's leftovers. */
    listDownloading(): DownloadRow[] {
      return statements.listDownloading.all()
    },

    /** The earliest scheduled retry among pending jobs, for the worker's wake-up timer. */
    earliestScheduledAttempt(): string | undefined {
      return statements.earliestScheduled.get()?.at ?? undefined
    },
  }
}

export type JobsRepository = ReturnType<typeof createJobsRepository>
