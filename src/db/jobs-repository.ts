// The worker's side of the downloads table: claiming jobs, progress and outcomes. Reads run here, on
// the main thread's connection; every write is a call to the writer (writer.ts), so it is async and
// settles after its commit. The statements and their race rules are in job-writes.ts.
import type { Db } from './open.js'
import type { CompletedDownload, DownloadProgress, DownloadResult, DownloadRow } from '../core/types.js'
import { createDeferredWrites, type DeferredWrites } from './deferred-writes.js'
import { createWriteHealth } from './write-health.js'
import type { CompletionOutcome, JobError } from './job-writes.js'
import type { Writer } from './write-targets.js'
import { createInlineWriter } from './writer-inline.js'
import { createProgressWrites } from './progress-writes.js'

export type { CompletionOutcome, JobError } from './job-writes.js'
export { singleFileCompletion } from './job-writes.js'

/**
 * `deferred` keeps the end of an attempt when the database refuses it (full, read-only, locked) and
 * writes it as soon as it can: those methods settle only once the state is stored.
 * Without a writer (tests), writes run in-process on `db`.
 */
export function createJobsRepository(db: Db, writer: Writer = createInlineWriter(db), deferred: DeferredWrites = createDeferredWrites({ health: createWriteHealth() })) {
  const statements = {
    listWaitingForLogin: db.prepare<[], DownloadRow>(`
      SELECT * FROM downloads WHERE status = 'pending' AND waiting_reason = 'login_required' ORDER BY seq`),
    listDownloading: db.prepare<[], DownloadRow>(`SELECT * FROM downloads WHERE status = 'downloading' ORDER BY seq`),
    earliestScheduled: db.prepare<[], { at: string | null }>(`
      SELECT min(next_attempt_at) AS at FROM downloads WHERE status = 'pending' AND next_attempt_at IS NOT NULL`),
    // The queue gate's reads (index downloads_pending_reason): whether its write would change a row at all.
    pendingUnmarked: db.prepare<[], number>(`
      SELECT EXISTS (SELECT 1 FROM downloads WHERE status = 'pending' AND waiting_reason IS NULL)`).pluck(),
    pendingDownloaderMissing: db.prepare<[], number>(`
      SELECT EXISTS (SELECT 1 FROM downloads WHERE status = 'pending' AND waiting_reason = 'downloader_missing')`).pluck(),
  }
  const progress = createProgressWrites((id, value, now) => writer.call('jobs', 'writeProgress', id, value, now))

  return {
    /** Takes the oldest runnable pending job and marks it downloading; undefined when none is due. */
    claimNext(now: string): Promise<DownloadRow | undefined> {
      return writer.call('jobs', 'claimNext', now)
    },

    /** Remembers the running yt-dlp's pid (its process group) for crash recovery. */
    recordPid(id: string, pid: number, now: string): Promise<boolean> {
      return writer.call('jobs', 'recordPid', id, pid, now)
    },

    /** Stores live progress (about once a second per job); while one write is on its way, newer ones replace each other. */
    writeProgress(id: string, value: DownloadProgress, now: string): Promise<boolean> {
      return progress.write(id, value, now)
    },

    /** downloading → completed with every file of the post; see job-writes.ts (duplicates). */
    completeWithFiles(id: string, done: CompletedDownload, now: string): Promise<CompletionOutcome | undefined> {
      return deferred.run(() => writer.call('jobs', 'completeWithFiles', id, done, now))
    },

    /** downloading → completed with one file (yt-dlp's single-file result); see completeWithFiles. */
    complete(id: string, result: DownloadResult, now: string): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'complete', id, result, now))
    },

    /** downloading → failed for good. */
    fail(id: string, error: JobError, now: string): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'fail', id, error, now))
    },

    /** downloading → pending with retry_count + 1, not before `nextAttemptAt`. */
    scheduleRetry(id: string, error: JobError, nextAttemptAt: string, now: string): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'scheduleRetry', id, error, nextAttemptAt, now))
    },

    /** pending | downloading → cancelled. A person waits for this: a refusal fails fast (not kept). */
    cancel(id: string, now: string): Promise<DownloadRow | undefined> {
      return writer.call('jobs', 'cancel', id, now)
    },

    /** failed | cancelled → pending, as new: retry_count 0, no error, no result. Not kept either. */
    retry(id: string, now: string): Promise<DownloadRow | undefined> {
      return writer.call('jobs', 'retry', id, now)
    },

    /** downloading → pending without counting a retry (shutdown, crash recovery). */
    requeue(id: string, now: string): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'requeue', id, now))
    },

    /** downloading → pending after a crash, counting the interruption (interrupted_count + 1). */
    requeueAfterCrash(id: string, now: string): Promise<DownloadRow | undefined> {
      return writer.call('jobs', 'requeueAfterCrash', id, now)
    },

    /** downloading → pending, waiting for free disk (waiting_reason disk_low, no retry counted); `error` says why, when it ran out. */
    waitForDisk(id: string, now: string, error: JobError | null = null): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'waitForDisk', id, now, error))
    },

    /** downloading → pending, waiting for cookies (waiting_reason login_required, no retry counted). */
    waitForLogin(id: string, error: JobError, now: string): Promise<DownloadRow | undefined> {
      return deferred.run(() => writer.call('jobs', 'waitForLogin', id, error, now))
    },

    /** Jobs waiting for a login, oldest first. */
    listWaitingForLogin(): DownloadRow[] {
      return statements.listWaitingForLogin.all()
    },

    /** The given login-waiting jobs may run again (new cookies for their site); the rows changed. */
    resumeFromLogin(ids: readonly string[], now: string): Promise<DownloadRow[]> {
      return writer.call('jobs', 'resumeFromLogin', ids, now)
    },

    /** Pending jobs with no other reason now wait for a downloader (downloader_missing); the rows changed. */
    waitForDownloader(now: string): Promise<DownloadRow[]> {
      return writer.call('jobs', 'waitForDownloader', now)
    },

    /** A downloader is there again: the downloader_missing jobs may start; the rows changed. */
    downloaderFound(now: string): Promise<DownloadRow[]> {
      return writer.call('jobs', 'downloaderFound', now)
    },

    /** Whether waitForDownloader would change a row: a pending job without a waiting reason. */
    hasPendingWithoutReason(): boolean {
      return statements.pendingUnmarked.get() === 1
    },

    /** Whether downloaderFound would change a row: a pending job marked downloader_missing. */
    hasDownloaderMissingMarks(): boolean {
      return statements.pendingDownloaderMissing.get() === 1
    },

    /** failed with site_changed or unsupported_url since `since` → pending again, as new. */
    requeueAfterUpdate(since: string, now: string): Promise<DownloadRow[]> {
      return writer.call('jobs', 'requeueAfterUpdate', since, now)
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
