// The worker's side of the downloads table as statements on the write connection: claiming jobs,
// progress and outcomes. Only the writer thread (writer-thread.ts) builds these, so every commit
// and its fsync happen off the event loop; the rest of the code uses jobs-repository.ts.
// Every state change is one conditional UPDATE ... RETURNING (or a transaction), so the database
// decides races such as cancel against complete: whichever commits first wins, and the loser gets
// undefined. Every change also sets updated_at. Timestamps are ISO 8601 UTC strings (sort as text).
import type { Db } from './open.js'
import type { CompletedDownload, DownloadFileRow, DownloadProgress, DownloadResult, DownloadRow } from '../core/types.js'
import { describeFile, legacyFiles } from '../core/media-types.js'

/** A failed attempt as stored: a stable code and a sentence for a person. */
export interface JobError {
  code: string
  message: string
}

const CLEAR_PROGRESS = `progress_percent = NULL, downloaded_bytes = NULL, total_bytes = NULL, speed_bps = NULL, eta_seconds = NULL`
const CLEAR_RESULT = `filename = NULL, file_path = NULL, file_size = NULL, title = NULL, uploader = NULL,
  duration_seconds = NULL, thumbnail_url = NULL, extractor = NULL, video_id = NULL, kind = NULL, downloader = NULL,
  duplicate_of = NULL`

/** Extractors whose "video id" is only a file name (yt-dlp's generic, gallery-dl's directlink). */
const NAME_ONLY_EXTRACTORS = ['generic', 'directlink']

/** How a completion went: its row, and whether it turned out to be another download's video. */
export interface CompletionOutcome {
  row: DownloadRow
  /** set when an earlier completed download has the same extractor and video id; its files are used */
  duplicateOf: DownloadRow | null
  /** the files as recorded: this attempt's own, or the original's for a duplicate */
  files: DownloadFileRow[]
}

/** Synchronous: they run inside the writer's group commit (group-commit.ts), one savepoint each. */
export function createJobWrites(db: Db) {
  const statements = {
    // One statement: the SELECT and the UPDATE cannot interleave with another writer.
    claimNext: db.prepare<{ now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'downloading', started_at = @now, updated_at = @now, worker_pid = NULL,
        next_attempt_at = NULL, waiting_reason = NULL, ${CLEAR_PROGRESS}
      WHERE id = (SELECT id FROM downloads
                  WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
                    AND (waiting_reason IS NULL OR waiting_reason <> 'login_required')
                  ORDER BY seq LIMIT 1)
      RETURNING *`),
    recordPid: db.prepare<{ id: string; pid: number; now: string }>(`
      UPDATE downloads SET worker_pid = @pid, updated_at = @now WHERE id = @id AND status = 'downloading'`),
    writeProgress: db.prepare<DownloadProgress & { id: string; now: string }>(`
      UPDATE downloads SET progress_percent = @percent, downloaded_bytes = @downloaded_bytes, total_bytes = @total_bytes,
        speed_bps = @speed_bps, eta_seconds = @eta_seconds, updated_at = @now
      WHERE id = @id AND status = 'downloading'`),
    complete: db.prepare<CompletionRecord, DownloadRow>(`
      UPDATE downloads SET status = 'completed', completed_at = @now, updated_at = @now, worker_pid = NULL,
        error_message = NULL, error_code = NULL, waiting_reason = NULL, progress_percent = 100, eta_seconds = 0, speed_bps = NULL,
        -- all bytes done, as the last progress event says (its last line may have been throttled away)
        downloaded_bytes = COALESCE(total_bytes, downloaded_bytes, @file_size), total_bytes = COALESCE(total_bytes, downloaded_bytes, @file_size),
        filename = @filename, file_path = @file_path, file_size = @file_size, title = @title, uploader = @uploader,
        duration_seconds = @duration_seconds, thumbnail_url = @thumbnail_url, extractor = @extractor, video_id = @video_id,
        kind = @kind, downloader = @downloader, duplicate_of = @duplicate_of
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    sameVideoCompleted: db.prepare<{ id: string; extractor: string; video_id: string }, DownloadRow>(`
      SELECT * FROM downloads
      WHERE extractor = @extractor AND video_id = @video_id AND status = 'completed' AND id <> @id
      ORDER BY seq LIMIT 1`),
    filesOf: db.prepare<[string], DownloadFileRow>('SELECT * FROM download_files WHERE download_id = ? ORDER BY idx'),
    deleteFiles: db.prepare<[string]>('DELETE FROM download_files WHERE download_id = ?'),
    insertFile: db.prepare<DownloadFileRow>(`
      INSERT INTO download_files (download_id, idx, media, filename, file_path, file_size, content_type, width, height, duration_seconds)
      VALUES (@download_id, @idx, @media, @filename, @file_path, @file_size, @content_type, @width, @height, @duration_seconds)`),
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
        error_code = NULL, error_message = NULL, waiting_reason = NULL
      WHERE id = @id AND status IN ('pending', 'downloading')
      RETURNING *`),
    // A retry asked for by a person starts over with the full retry budget; see docs/download-engine.md.
    retry: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, retry_count = 0, interrupted_count = 0,
        next_attempt_at = NULL, error_code = NULL, error_message = NULL, started_at = NULL, completed_at = NULL,
        waiting_reason = NULL, ${CLEAR_PROGRESS}, ${CLEAR_RESULT}
      WHERE id = @id AND status IN ('failed', 'cancelled')
      RETURNING *`),
    // Shutdown and crash recovery: the attempt was interrupted, not failed, so no retry is counted.
    requeue: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    // Crash recovery: like requeue, and the interruption is counted (the crash-loop guard).
    requeueAfterCrash: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        interrupted_count = interrupted_count + 1, ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    // The disk guard stopped the attempt: the job waits for space, no retry counted.
    // Without an error (the disk guard stopped it) the last error stays as it was.
    waitForDisk: db.prepare<{ id: string; now: string; code: string | null; message: string | null }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        waiting_reason = 'disk_low', error_code = COALESCE(@code, error_code), error_message = COALESCE(@message, error_message), ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    // A login wall: the job waits for cookies (no retry counted); the trigger of migration 3 queues
    // the login_required notification in this same statement.
    waitForLogin: db.prepare<JobError & { id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        waiting_reason = 'login_required', error_code = @code, error_message = @message, ${CLEAR_PROGRESS}
      WHERE id = @id AND status = 'downloading'
      RETURNING *`),
    resumeFromLogin: db.prepare<{ id: string; now: string }, DownloadRow>(`
      UPDATE downloads SET waiting_reason = NULL, updated_at = @now
      WHERE id = @id AND status = 'pending' AND waiting_reason = 'login_required'
      RETURNING *`),
    // The queue gate found no downloader: every pending job says why it does not start (a job waiting
    // for a login or for disk keeps that reason: it would wait for it anyway).
    waitForDownloader: db.prepare<{ now: string }, DownloadRow>(`
      UPDATE downloads SET waiting_reason = 'downloader_missing', updated_at = @now
      WHERE status = 'pending' AND waiting_reason IS NULL
      RETURNING *`),
    downloaderFound: db.prepare<{ now: string }, DownloadRow>(`
      UPDATE downloads SET waiting_reason = NULL, updated_at = @now
      WHERE status = 'pending' AND waiting_reason = 'downloader_missing'
      RETURNING *`),
    // After a downloader update: what a new release may fix, failed recently, queued again as new.
    requeueAfterUpdate: db.prepare<{ since: string; now: string }, DownloadRow>(`
      UPDATE downloads SET status = 'pending', updated_at = @now, worker_pid = NULL, next_attempt_at = NULL,
        retry_count = 0, error_code = NULL, error_message = NULL, waiting_reason = NULL, started_at = NULL, completed_at = NULL
      WHERE status = 'failed' AND error_code IN ('site_changed', 'unsupported_url') AND updated_at >= @since
      RETURNING *`),
  }

  // The row, its files and the dedupe check in one transaction: a completed row never lacks its files,
  // and two downloads of one video cannot both become the original.
  const completeTx = db.transaction((id: string, done: CompletedDownload, now: string): CompletionOutcome | undefined => {
    const own = done.files.map((file, idx) => ({ ...file, download_id: id, idx }))
    const original =
      done.extractor && done.video_id && !NAME_ONLY_EXTRACTORS.includes(done.extractor.toLowerCase())
        ? statements.sameVideoCompleted.get({ id, extractor: done.extractor, video_id: done.video_id })
        : undefined
    const shared = original ? statements.filesOf.all(original.id).map((file) => ({ ...file, download_id: id })) : []
    // An original completed before files were listed one by one has only its top-level file.
    const files = original ? (shared.length > 0 ? shared : legacyFiles(original).map((file) => ({ ...file, download_id: id }))) : own
    const first = files[0]
    if (!first) throw new Error('a completed download needs at least one file')
    const row = statements.complete.get({
      id,
      now,
      title: done.title,
      uploader: done.uploader,
      duration_seconds: done.duration_seconds,
      thumbnail_url: done.thumbnail_url,
      extractor: done.extractor,
      video_id: done.video_id,
      downloader: original?.downloader ?? done.downloader,
      kind: files.length > 1 ? 'album' : first.media,
      filename: first.filename,
      file_path: first.file_path,
      file_size: first.file_size,
      duplicate_of: original?.id ?? null,
    })
    if (!row) return undefined
    statements.deleteFiles.run(id)
    for (const file of files) statements.insertFile.run(file)
    return { row, duplicateOf: original ?? null, files }
  })

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

    /**
     * downloading → completed with every file of the post. When an earlier completed download has
     * the same extractor and video id (not for extractors whose ids are file names), this one gets
     * `duplicate_of` and that download's files instead: the caller then removes the files it made.
     * undefined when the job was no longer downloading (cancelled meanwhile).
     */
    completeWithFiles(id: string, done: CompletedDownload, now: string): CompletionOutcome | undefined {
      return completeTx.immediate(id, done, now)
    },

    /** downloading → completed with one file (yt-dlp's single-file result); see completeWithFiles. */
    complete(id: string, result: DownloadResult, now: string): DownloadRow | undefined {
      return completeTx.immediate(id, singleFileCompletion(result), now)?.row
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

    /** downloading → pending after a crash, counting the interruption (interrupted_count + 1). */
    requeueAfterCrash(id: string, now: string): DownloadRow | undefined {
      return statements.requeueAfterCrash.get({ id, now })
    },

    /** downloading → pending, waiting for free disk (waiting_reason disk_low, no retry counted). */
    waitForDisk(id: string, now: string, error: JobError | null = null): DownloadRow | undefined {
      return statements.waitForDisk.get({ id, now, code: error?.code ?? null, message: error?.message ?? null })
    },

    /** downloading → pending, waiting for cookies (waiting_reason login_required, no retry counted). */
    waitForLogin(id: string, error: JobError, now: string): DownloadRow | undefined {
      return statements.waitForLogin.get({ ...error, id, now })
    },

    /** The given login-waiting jobs may run again (new cookies for their site); the rows changed. */
    resumeFromLogin(ids: readonly string[], now: string): DownloadRow[] {
      return db.transaction(() => ids.flatMap((id) => statements.resumeFromLogin.get({ id, now }) ?? []))()
    },

    /** Pending jobs with no other reason now wait for a downloader (downloader_missing); the rows changed. */
    waitForDownloader(now: string): DownloadRow[] {
      return statements.waitForDownloader.all({ now })
    },

    /** A downloader is there again: the downloader_missing jobs may start; the rows changed. */
    downloaderFound(now: string): DownloadRow[] {
      return statements.downloaderFound.all({ now })
    },

    /** failed with site_changed or unsupported_url since `since` → pending again, as new. */
    requeueAfterUpdate(since: string, now: string): DownloadRow[] {
      return statements.requeueAfterUpdate.all({ since, now })
    },
  }
}

type CompletionRecord = Pick<DownloadRow, 'id' | 'title' | 'uploader' | 'duration_seconds' | 'thumbnail_url' | 'extractor' | 'video_id' | 'kind' | 'downloader' | 'filename' | 'file_path' | 'file_size' | 'duplicate_of'> & { now: string }

/** yt-dlp's single file as a one-file completion; the media and type follow from the file name. */
export function singleFileCompletion(result: DownloadResult): CompletedDownload {
  const { title, uploader, duration_seconds, thumbnail_url, extractor, video_id } = result
  return {
    title,
    uploader,
    duration_seconds,
    thumbnail_url,
    extractor,
    video_id,
    downloader: 'yt-dlp',
    files: [describeFile(result.filename, result.file_path, result.file_size, duration_seconds)],
  }
}

export type JobWrites = ReturnType<typeof createJobWrites>
