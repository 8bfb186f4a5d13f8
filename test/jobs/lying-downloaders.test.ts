// @integration: fake downloader processes that lie in their result lines
// A result line is the downloader's word, and the downloader is not trusted (issue 8 item 4): one
// that names a hard link to another job's finished file, or a symlink to it, made inside its own
// work folder (so a path test alone passes), fails as unsafe_output and the other job's file stays
// as it was: its content, its single name, its place.
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { assertNoneLeft, writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { createEngineFixture, finishedFiles, partialFiles, waitForStatus, type EngineFixture } from './helpers.js'

const URL = 'http://127.0.0.1:9/video'

/** A first job completes with an honest fake; returns its finished file (absolute). */
async function firstJobsFile(fx: EngineFixture): Promise<string> {
  const honest = await writeFakeDownloader(fx.dir, 'honest-yt-dlp', 'result "theirs.mp4" their-id\nexit 0')
  fx.config.ytdlp.path = honest.path
  fx.defer(() => honest.killAll())
  const done = await waitForStatus(fx, fx.submit(URL), 'completed', 15_000)
  assert.ok(done.file_path)
  return path.join(fx.downloadsDir, done.file_path)
}

async function lyingJob(fx: EngineFixture, link: 'ln' | 'ln -s', theirs: string) {
  // Makes the file the way the link command says, in its own home folder, and reports that name.
  const body = `${link} '${theirs}' "$HOME_DIR/mine.mp4"
printf '[vds-result] {"filepath": "%s", "title": "mine", "id": "my-id", "extractor": "fake"}\\n' "$HOME_DIR/mine.mp4"
exit 0`
  const liar = await writeFakeDownloader(fx.dir, `lying-yt-dlp-${link.length}`, body)
  fx.config.ytdlp.path = liar.path
  fx.defer(() => liar.killAll())
  const row = await waitForStatus(fx, fx.submit(URL), 'failed', 15_000)
  await assertNoneLeft(liar, 1)
  return row
}

async function assertUntouched(fx: EngineFixture, theirs: string): Promise<void> {
  assert.equal(await readFile(theirs, 'utf8'), 'fake video')
  assert.equal((await stat(theirs)).nlink, 1, 'no second name is left pointing at their file')
  assert.deepEqual(await finishedFiles(fx), [path.relative(fx.downloadsDir, theirs)], 'only their file, in its place')
  assert.deepEqual(await partialFiles(fx), [], 'the refused attempt leaves nothing behind')
}

test("a result line naming a hard link to another job's finished file fails as unsafe_output; their file is untouched", async (t) => {
  const fx = await createEngineFixture(t, { downloads: { max_concurrent: 1 } })
  fx.startWorker({ killGraceMs: 500 })
  const theirs = await firstJobsFile(fx)

  const row = await lyingJob(fx, 'ln', theirs)
  assert.equal(row.error_code, 'unsafe_output')
  assert.match(row.error_message ?? '', /"mine\.mp4", which has another name too/)
  assert.ok(!(row.error_message ?? '').includes(fx.dir), `no server path in: ${row.error_message}`)
  assert.equal(row.file_path, null)
  await assertUntouched(fx, theirs)
})

test("a result line naming a symlink to another job's finished file fails as unsafe_output too", async (t) => {
  const fx = await createEngineFixture(t, { downloads: { max_concurrent: 1 } })
  fx.startWorker({ killGraceMs: 500 })
  const theirs = await firstJobsFile(fx)

  const row = await lyingJob(fx, 'ln -s', theirs)
  assert.equal(row.error_code, 'unsafe_output')
  assert.ok(!(row.error_message ?? '').includes(fx.dir), `no server path in: ${row.error_message}`)
  await assertUntouched(fx, theirs)
})
