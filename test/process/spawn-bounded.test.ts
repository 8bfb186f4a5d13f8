// @integration: real processes, their daemons and deadlines
// The shared spawn helper on real processes: a run ends when its program does, even if a
// descendant holds the pipes; every process carrying the run's marker is stopped.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { findMarkedProcesses, newAttemptMarker } from '../../src/process/attempt-marker.js'
import { runBounded } from '../../src/process/spawn-bounded.js'
import { assertNoneLeft, fakeSnippets, writeFakeDownloader } from '../helpers/fake-downloaders.js'

async function tempDir(t: { after: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vds-spawn-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('a program that exits while a setsid daemon holds its stdout ends at once; the daemon is stopped', async (t) => {
  const dir = await tempDir(t)
  const fake = await writeFakeDownloader(dir, 'daemonizer', `${fakeSnippets.setsidDaemon}\n${fakeSnippets.reparentedGrandchild}\necho hello\nexit 3`)
  t.after(() => fake.killAll())
  const marker = newAttemptMarker('test', 'daemon')
  const lines: string[] = []
  const started = Date.now()
  const run = await runBounded({ command: fake.path, args: [], marker, timeoutMs: 60_000, killGraceMs: 300, onLine: (l) => lines.push(l), limits: { pipeGraceMs: 200 } })
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`)
  assert.equal(run.exitCode, 3)
  assert.equal(run.stoppedBy, null)
  assert.deepEqual(lines, ['hello'])
  assert.deepEqual(await findMarkedProcesses(marker), [])
  await assertNoneLeft(fake, 3)
})

test('the deadline stops a program that ignores SIGTERM; an abort does too', async (t) => {
  const dir = await tempDir(t)
  const fake = await writeFakeDownloader(dir, 'stubborn', `${fakeSnippets.setsidDaemon}\n${fakeSnippets.ignoreTermAndHang}`)
  t.after(() => fake.killAll())
  const timedOut = await runBounded({ command: fake.path, args: [], marker: newAttemptMarker('test', 'a'), timeoutMs: 500, killGraceMs: 300 })
  assert.equal(timedOut.stoppedBy, 'timeout')
  assert.equal(timedOut.signal, 'SIGKILL')
  await assertNoneLeft(fake, 3)

  const controller = new AbortController()
  setTimeout(() => controller.abort(), 300)
  const aborted = await runBounded({ command: fake.path, args: [], marker: newAttemptMarker('test', 'b'), timeoutMs: 60_000, killGraceMs: 300, signal: controller.signal })
  assert.equal(aborted.stoppedBy, 'abort')
  await assertNoneLeft(fake, 6)
})

test('output past the cap stops the run as a flood; stderr keeps its tail; a missing program is a spawn error', async (t) => {
  const dir = await tempDir(t)
  const fake = await writeFakeDownloader(dir, 'flood', `printf 'first\\n' >&2\nhead -c 5000000 /dev/zero >&2\nprintf 'last words\\n' >&2\nyes flood`)
  t.after(() => fake.killAll())
  const run = await runBounded({ command: fake.path, args: [], marker: newAttemptMarker('test', 'c'), timeoutMs: 60_000, killGraceMs: 300, limits: { maxOutputBytes: 8 * 1024 * 1024, stderrTailBytes: 1024 } })
  assert.equal(run.stoppedBy, 'output_flood')
  assert.ok(run.stderr.length <= 1024)
  assert.match(run.stderr, /last words\n$/)
  await assertNoneLeft(fake, 1)

  const missing = await runBounded({ command: path.join(dir, 'nope'), args: [], marker: 'x', timeoutMs: 1_000, killGraceMs: 100 })
  assert.equal(missing.spawnError?.code, 'ENOENT')
})
