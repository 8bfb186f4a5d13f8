// State transitions of the worker's repository on a real SQLite file.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DownloadResult } from '../../src/core/types.js'
import { createEngineFixture } from './helpers.js'

const T0 = '2030-01-01T00:00:00.000Z'
const T1 = '2030-01-01T00:00:01.000Z'
const T2 = '2030-01-01T00:00:02.000Z'
const LATER = '2030-01-01T01:00:00.000Z'

const RESULT: DownloadResult = {
  filename: 'a.mp4',
  file_path: 'a.mp4',
  file_size: 123,
  title: 'A',
  uploader: null,
  duration_seconds: 2,
  thumbnail_url: null,
  extractor: 'generic',
  video_id: 'a',
}
const ERROR = { code: 'server_error', message: 'The site had a server error' }

test('claims the oldest runnable job and skips scheduled retries until due', async (t) => {
  const { jobs, submit, row } = await createEngineFixture(t)
  const first = submit('http://127.0.0.1/1')
  const second = submit('http://127.0.0.1/2')

  const claimed = (await jobs.claimNext(T0))
  assert.equal(claimed?.id, first)
  assert.equal(claimed.status, 'downloading')
  assert.equal(claimed.started_at, T0)
  assert.equal(claimed.updated_at, T0)
  assert.ok((await jobs.recordPid(first, 4242, T0)))
  assert.equal(row(first).worker_pid, 4242)

  const retried = await jobs.scheduleRetry(first, ERROR, LATER, T1)
  assert.equal(retried?.status, 'pending')
  assert.equal(retried.retry_count, 1)
  assert.equal(retried.next_attempt_at, LATER)
  assert.equal(retried.error_message, ERROR.message)
  assert.equal(retried.worker_pid, null)
  assert.equal(jobs.earliestScheduledAttempt(), LATER)

  assert.equal((await jobs.claimNext(T1))?.id, second, 'the scheduled job waits')
  assert.equal((await jobs.claimNext(T1)), undefined)
  assert.equal((await jobs.claimNext(LATER))?.id, first, 'and runs once due')
  assert.equal(row(first).next_attempt_at, null)
  assert.equal(jobs.earliestScheduledAttempt(), undefined)
})

test('transitions check the current state: cancel and complete race, the first wins', async (t) => {
  const { jobs, submit, row } = await createEngineFixture(t)
  const id = submit('http://127.0.0.1/1')
  assert.equal(await jobs.complete(id, RESULT, T0), undefined, 'a pending job cannot complete')
  await jobs.claimNext(T0)
  assert.ok((await jobs.writeProgress(id, { percent: 50, downloaded_bytes: 5, total_bytes: 10, speed_bps: 1, eta_seconds: 5 }, T1)))
  assert.equal(row(id).progress_percent, 50)

  assert.equal((await jobs.cancel(id, T1))?.status, 'cancelled')
  assert.equal(await jobs.complete(id, RESULT, T2), undefined, 'cancel won')
  assert.equal(await jobs.fail(id, ERROR, T2), undefined)
  assert.equal((await jobs.writeProgress(id, { percent: 60, downloaded_bytes: 6, total_bytes: 10, speed_bps: 1, eta_seconds: 4 }, T2)), false)
  assert.equal((await jobs.cancel(id, T2)), undefined, 'already cancelled')
  assert.equal(row(id).updated_at, T1)

  const other = submit('http://127.0.0.1/2')
  await jobs.claimNext(T0)
  const completed = await jobs.complete(other, RESULT, T1)
  assert.equal(completed?.status, 'completed')
  assert.equal(completed.completed_at, T1)
  assert.equal(completed.file_size, 123)
  assert.equal((await jobs.cancel(other, T2)), undefined, 'complete won')
})

test('retry starts over; requeue keeps the retry count; fail is final', async (t) => {
  const { jobs, submit } = await createEngineFixture(t)
  const id = submit('http://127.0.0.1/1')
  await jobs.claimNext(T0)
  await jobs.scheduleRetry(id, ERROR, T0, T0)
  await jobs.claimNext(T1)
  const failed = await jobs.fail(id, ERROR, T1)
  assert.equal(failed?.status, 'failed')
  assert.equal(failed.retry_count, 1)
  assert.equal(await jobs.requeue(id, T1), undefined, 'only a downloading job is requeued')

  const retried = (await jobs.retry(id, T2))
  assert.equal(retried?.status, 'pending')
  assert.equal(retried.retry_count, 0)
  assert.equal(retried.error_message, null)
  assert.equal(retried.error_code, null)
  assert.equal(retried.started_at, null)
  assert.equal((await jobs.retry(id, T2)), undefined, 'a pending job cannot be retried')

  await jobs.claimNext(T2)
  await jobs.scheduleRetry(id, ERROR, T2, T2)
  await jobs.claimNext(T2)
  assert.equal(jobs.listDownloading().length, 1)
  const requeued = await jobs.requeue(id, T2)
  assert.equal(requeued?.status, 'pending')
  assert.equal(requeued.retry_count, 1, 'an interruption is not counted')
  assert.equal(requeued.next_attempt_at, null)
  assert.equal(jobs.listDownloading().length, 0)
})
