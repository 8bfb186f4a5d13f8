// @integration: fake downloader processes, their daemons and grandchildren
// Every job ends, whatever the downloader does (issue 8 items 1 and 2): fake downloaders that leave
// a setsid daemon holding stdout, re-parent a grandchild, ignore SIGTERM, hang silently or flood
// their output. Each test checks by pid that nothing the downloader started is left.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertNoneLeft, fakeSnippets, writeFakeDownloader, type FakeDownloader } from '../helpers/fake-downloaders.js'
import { createEngineFixture, partialFiles, waitFor, waitForStatus, type EngineFixture } from './helpers.js'

const URL = 'http://127.0.0.1:9/video'

async function fixtureWithFake(t: Parameters<typeof createEngineFixture>[0], body: string, downloads: Record<string, unknown> = {}): Promise<{ fx: EngineFixture; fake: FakeDownloader }> {
  const probe = await createEngineFixture(t, { downloads: { max_concurrent: 1, ...downloads } })
  const fake = await writeFakeDownloader(probe.dir, 'fake-yt-dlp', body)
  probe.config.ytdlp.path = fake.path
  probe.defer(() => fake.killAll())
  return { fx: probe, fake }
}

test('a setsid daemon holding stdout neither wedges the job nor the queue, and is stopped', async (t) => {
  const { fx, fake } = await fixtureWithFake(t, `${fakeSnippets.setsidDaemon}\n${fakeSnippets.reparentedGrandchild}\nresult "done-$$.mp4"\nexit 0`)
  fx.startWorker({ killGraceMs: 500 })
  const first = fx.submit(URL)
  const second = fx.submit(URL)

  const started = Date.now()
  assert.equal((await waitForStatus(fx, first, 'completed', 15_000)).file_size, 'fake video'.length)
  // max_concurrent is 1: the second job runs only if the first one freed its slot.
  await waitForStatus(fx, second, 'completed', 15_000)
  assert.ok(Date.now() - started < 12_000, `both jobs ended in ${Date.now() - started} ms`)
  await assertNoneLeft(fake, 6)
})

test('a downloader that ignores SIGTERM and hangs silently ends at the deadline as a timeout', async (t) => {
  const { fx, fake } = await fixtureWithFake(t, `${fakeSnippets.setsidDaemon}\n${fakeSnippets.ignoreTermAndHang}`, { timeout_seconds: 1 })
  fx.startWorker({ killGraceMs: 500 })
  const started = Date.now()
  const id = fx.submit(URL)

  const row = await waitForStatus(fx, id, 'failed', 15_000)
  assert.equal(row.error_code, 'timeout')
  assert.ok(Date.now() - started < 8_000, `ended after ${Date.now() - started} ms (deadline 1 s, grace 0.5 s)`)
  assert.deepEqual(await partialFiles(fx), [])
  await assertNoneLeft(fake, 3)
})

test('cancel answers within seconds even when the downloader ignores SIGTERM and its children hold the pipes', async (t) => {
  const { fx, fake } = await fixtureWithFake(t, `${fakeSnippets.setsidDaemon}\n${fakeSnippets.reparentedGrandchild}\n${fakeSnippets.ignoreTermAndHang}`)
  const worker = fx.startWorker({ killGraceMs: 1_000 })
  const id = fx.submit(URL)
  await waitFor('every fake process to start', async () => (await fake.pids()).length >= 4)

  const started = Date.now()
  const cancelled = await fx.actionsOn(worker).cancel(id)
  const tookMs = Date.now() - started
  assert.equal(cancelled.ok && cancelled.row.status, 'cancelled')
  assert.ok(tookMs < 5_000, `cancel took ${tookMs} ms`)
  assert.equal(worker.status().active, 0)
  await assertNoneLeft(fake, 4)
})

test('stop() finishes within 10 s with a wedged downloader and puts its job back to pending', async (t) => {
  const { fx, fake } = await fixtureWithFake(t, `${fakeSnippets.setsidDaemon}\n${fakeSnippets.ignoreTermAndHang}`)
  const worker = fx.startWorker() // the default SIGTERM → SIGKILL grace
  const id = fx.submit(URL)
  await waitFor('every fake process to start', async () => (await fake.pids()).length >= 3)

  const started = Date.now()
  await worker.stop()
  assert.ok(Date.now() - started < 10_000, `stop took ${Date.now() - started} ms`)
  const row = fx.row(id)
  assert.equal(row.status, 'pending')
  assert.equal(row.retry_count, 0)
  await assertNoneLeft(fake, 3)
})

test('one endless line without a newline fails the attempt as downloader_failed, in bounded memory', async (t) => {
  // 70 MB on one line: more than the 64 MiB output cap.
  const { fx, fake } = await fixtureWithFake(t, `head -c 70000000 /dev/zero | tr '\\0' x\nresult never.mp4\nexit 0`)
  fx.startWorker({ killGraceMs: 500 })
  const id = fx.submit(URL)
  const row = await waitForStatus(fx, id, 'failed', 30_000)
  assert.equal(row.error_code, 'downloader_failed')
  assert.match(row.error_message ?? '', /far more output/)
  assert.equal(row.file_path, null)
  await assertNoneLeft(fake, 1)
})

test('a flood of short lines fails as downloader_failed; a long line under the cap is only cut', async (t) => {
  const { fx, fake } = await fixtureWithFake(t, `yes 'a line of output' | head -c 70000000\nexit 0`)
  fx.startWorker({ killGraceMs: 500 })
  const flood = fx.submit(URL)
  assert.equal((await waitForStatus(fx, flood, 'failed', 30_000)).error_code, 'downloader_failed')
  await assertNoneLeft(fake, 1)

  // 2 MB of title on one line, then the result: the long line is cut, the download still completes.
  const long = await writeFakeDownloader(fx.dir, 'fake-long-line', `head -c 2000000 /dev/zero | tr '\\0' x\necho\nresult "long-$$.mp4"\nexit 0`)
  fx.config.ytdlp.path = long.path
  fx.defer(() => long.killAll())
  const ok = fx.submit(URL)
  assert.equal((await waitForStatus(fx, ok, 'completed', 15_000)).title, 'fake')
})
