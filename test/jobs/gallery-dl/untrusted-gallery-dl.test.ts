// @integration: fake gallery-dl processes
// gallery-dl is as untrusted as yt-dlp: fake gallery-dl scripts (set as gallery_dl.path) that lie
// about their files or flood their output fail the way the yt-dlp side does, and no message names
// a folder of the server.
import assert from 'node:assert/strict'
import { chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { parseConfig } from '../../../src/core/config.js'
import { GalleryDlRunError, runGalleryDl } from '../../../src/jobs/gallery-dl/runner.js'
import { runTool } from '../../../src/jobs/media/run-tool.js'
import { RunFailureReason } from '../../../src/jobs/ytdlp/runner.js'
import { tempDir } from '../../helpers/test-app.js'

async function fakeGalleryDl(dir: string, body: string): Promise<string> {
  const script = path.join(dir, 'fake-gallery-dl')
  await writeFile(script, `#!/bin/sh\n[ "$1" = "--version" ] && { echo 1.99.0; exit 0; }\n${body}\n`)
  await chmod(script, 0o755)
  return script
}

async function runFake(t: TestContext, body: (dir: string) => string) {
  const dir = tempDir(t)
  const script = await fakeGalleryDl(dir, body(dir))
  const config = parseConfig({ gallery_dl: { path: script } })
  const outcome = runGalleryDl({ url: 'https://example.com/p/1', config, outputDir: path.join(dir, 'work', 'out'), deadlineMs: Date.now() + 60_000, killGraceMs: 1_000, runTool, proxy: 'http://vds:unused@127.0.0.1:9' })
  return { dir, error: await outcome.then(() => assert.fail('the run must fail'), (err: unknown) => err) }
}

test('a file reported outside the work folder (another job\'s) is refused, and the message names no server folder', async (t) => {
  const { dir, error } = await runFake(t, (root) => {
    const other = path.join(root, 'other-job')
    return `mkdir -p '${other}'; printf x > '${other}/theirs.jpg'; echo '${other}/theirs.jpg'`
  })
  assert.ok(error instanceof GalleryDlRunError)
  assert.equal(error.reason, RunFailureReason.unsafe_output)
  assert.match(error.message, /"theirs\.jpg" outside its work folder/)
  assert.ok(!error.message.includes(dir), `no server path in: ${error.message}`)
  assert.ok(!error.message.includes('/'), `no path at all in: ${error.message}`)
})

test('a symlink inside the work folder pointing outside is refused too', async (t) => {
  const { error } = await runFake(t, (root) => {
    const out = path.join(root, 'work', 'out')
    return `mkdir -p '${out}'; printf x > '${root}/secret'; ln -s '${root}/secret' '${out}/a.jpg'; echo '${out}/a.jpg'`
  })
  assert.ok(error instanceof GalleryDlRunError)
  assert.equal(error.reason, RunFailureReason.unsafe_output)
})

test('a hard link inside the work folder to a file elsewhere (another job\'s) is refused, naming no folder', async (t) => {
  const { dir, error } = await runFake(t, (root) => {
    const out = path.join(root, 'work', 'out')
    return `mkdir -p '${out}'; printf x > '${root}/theirs.jpg'; ln '${root}/theirs.jpg' '${out}/a.jpg'; echo '${out}/a.jpg'`
  })
  assert.ok(error instanceof GalleryDlRunError)
  assert.equal(error.reason, RunFailureReason.unsafe_output)
  assert.match(error.message, /"a\.jpg", which has another name too/)
  assert.ok(!error.message.includes(dir), `no server path in: ${error.message}`)
})

test('a gallery-dl that floods its output fails as output_flood (downloader_failed), like yt-dlp', async (t) => {
  const { error } = await runFake(t, () => `yes 'a line of noise that never ends, over and over again, far past any cap' | head -c 80000000; exit 0`)
  assert.ok(error instanceof GalleryDlRunError)
  assert.equal(error.reason, RunFailureReason.output_flood)
  assert.match(error.message, /gallery-dl printed far more output/)
})

test('a gallery-dl that exits 0 reporting nothing fails as exit, with its stderr kept', async (t) => {
  const { error } = await runFake(t, () => `echo 'nothing to see' >&2; exit 0`)
  assert.ok(error instanceof GalleryDlRunError)
  assert.equal(error.reason, RunFailureReason.exit)
  assert.match(error.stderr, /nothing to see/)
})
