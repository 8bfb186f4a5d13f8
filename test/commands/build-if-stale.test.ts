// `npm start`'s prestart (scripts/build-if-stale.js) on a small copy of the project layout: it
// builds when dist/ is missing or older than a source, and only then.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function project(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-build-if-stale-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  for (const folder of ['scripts', 'src/db', 'src/tls']) mkdirSync(path.join(dir, folder), { recursive: true })
  for (const script of ['build-if-stale.js', 'build.js']) copyFileSync(path.join(ROOT, 'scripts', script), path.join(dir, 'scripts', script))
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n')
  // One file per entry point of scripts/build.js; the CLI imports a module so the bundle is a real one.
  writeFileSync(path.join(dir, 'src', 'answer.ts'), 'export const answer: number = 42\n')
  writeFileSync(path.join(dir, 'src', 'cli.ts'), "import { answer } from './answer.js'\nconsole.log(answer)\n")
  writeFileSync(path.join(dir, 'src', 'db', 'writer-thread.ts'), 'export {}\n')
  writeFileSync(path.join(dir, 'src', 'tls', 'issuer-process.ts'), 'export {}\n')
  // Sources written "a minute ago", so a build made now is newer than all of them.
  const past = new Date(Date.now() - 60_000)
  for (const file of ['package.json', 'scripts/build.js', 'src/answer.ts', 'src/cli.ts', 'src/db', 'src/tls', 'src']) utimesSync(path.join(dir, file), past, past)
  const run = () => spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-stale.js')], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  return { dir, run, cli: path.join(dir, 'dist', 'cli.js') }
}

test('build-if-stale builds a missing dist/, skips a current one and rebuilds after a source changes', { timeout: 120_000 }, (t) => {
  const { dir, run, cli } = project(t)
  const first = run()
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stderr, /building/)
  const started = spawnSync(process.execPath, [cli], { encoding: 'utf8' })
  assert.equal(started.stdout, '42\n', 'the bundle runs and holds the imported module')

  const builtAt = statSync(cli).mtimeMs
  const second = run()
  assert.equal(second.status, 0, second.stderr)
  assert.equal(second.stderr, '', 'a current build is not built again')
  assert.equal(statSync(cli).mtimeMs, builtAt)

  // An edit (or a checkout) makes a source newer than the build.
  const later = new Date(builtAt + 5_000)
  writeFileSync(path.join(dir, 'src', 'answer.ts'), 'export const answer: number = 43\n')
  utimesSync(path.join(dir, 'src', 'answer.ts'), later, later)
  const third = run()
  assert.equal(third.status, 0, third.stderr)
  assert.match(third.stderr, /building/)
  assert.equal(spawnSync(process.execPath, [cli], { encoding: 'utf8' }).stdout, '43\n')
})

test('build-if-stale: a package.json change is stale too, and a failed build stays stale', { timeout: 120_000 }, (t) => {
  const { dir, run, cli } = project(t)
  assert.equal(run().status, 0)
  const later = new Date(statSync(cli).mtimeMs + 5_000)
  utimesSync(path.join(dir, 'package.json'), later, later)
  assert.match(run().stderr, /building/)

  writeFileSync(path.join(dir, 'src', 'answer.ts'), 'export const answer: number = (\n')
  const failed = run()
  assert.notEqual(failed.status, 0, 'a syntax error fails the start')
  assert.equal(existsSync(cli), false, 'no half-built dist/ is left to be mistaken for a good build')
  const again = run()
  assert.notEqual(again.status, 0)
  assert.match(again.stderr, /building/)
})
