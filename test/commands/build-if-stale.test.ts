// `npm start`'s prestart (scripts/build-if-stale.js) on a small copy of the project layout: it
// compiles when dist/ is missing or older than a source, and only then.
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
  mkdirSync(path.join(dir, 'scripts'))
  mkdirSync(path.join(dir, 'src'))
  copyFileSync(path.join(ROOT, 'scripts', 'build-if-stale.js'), path.join(dir, 'scripts', 'build-if-stale.js'))
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n')
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, types: [] } }))
  writeFileSync(path.join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }))
  writeFileSync(path.join(dir, 'src', 'cli.ts'), 'export const answer: number = 42\n')
  // Sources written "a minute ago", so a build made now is newer than all of them.
  const past = new Date(Date.now() - 60_000)
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src/cli.ts', 'src']) utimesSync(path.join(dir, file), past, past)
  const run = () => spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-if-stale.js')], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  return { dir, run, cli: path.join(dir, 'dist', 'cli.js') }
}

test('build-if-stale compiles a missing dist/, skips a current one and recompiles after a source changes', { timeout: 120_000 }, (t) => {
  const { dir, run, cli } = project(t)
  const first = run()
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stderr, /compiling/)
  assert.ok(existsSync(cli))

  const builtAt = statSync(cli).mtimeMs
  const second = run()
  assert.equal(second.status, 0, second.stderr)
  assert.equal(second.stderr, '', 'a current build is not compiled again')
  assert.equal(statSync(cli).mtimeMs, builtAt)

  // An edit (or a checkout) makes a source newer than the build.
  const later = new Date(builtAt + 5_000)
  writeFileSync(path.join(dir, 'src', 'cli.ts'), 'export const answer: number = 43\n')
  utimesSync(path.join(dir, 'src', 'cli.ts'), later, later)
  const third = run()
  assert.equal(third.status, 0, third.stderr)
  assert.match(third.stderr, /compiling/)
})

test('build-if-stale: a tsconfig change is stale too, and a failed compile stays stale', { timeout: 120_000 }, (t) => {
  const { dir, run, cli } = project(t)
  assert.equal(run().status, 0)
  const later = new Date(statSync(cli).mtimeMs + 5_000)
  utimesSync(path.join(dir, 'tsconfig.build.json'), later, later)
  assert.match(run().stderr, /compiling/)

  writeFileSync(path.join(dir, 'src', 'cli.ts'), 'export const answer: number = "not a number"\n')
  const failed = run()
  assert.notEqual(failed.status, 0, 'a type error fails the start')
  // tsc emitted anyway; the next start must not mistake that output for a good build.
  const again = run()
  assert.notEqual(again.status, 0)
  assert.match(again.stderr, /compiling/)
})
