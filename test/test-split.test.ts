// The test split (scripts/run-tests.js) cannot lose a test: `npm test` runs every test file, the fast
// tier is a part of them, and a file that starts downloaders, servers or browsers is never in it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'

const ROOT = path.resolve(import.meta.dirname, '..')
const split = JSON.parse(execFileSync(process.execPath, ['scripts/run-tests.js', '--list'], { cwd: ROOT, encoding: 'utf8' })) as {
  all: string[]
  fast: string[]
  integration: Record<string, string>
}
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts

/** Every .ts file under test/, found here independently of the script. */
const testTree = readdirSync(path.join(ROOT, 'test'), { recursive: true })
  .map((file) => path.posix.join('test', String(file).split(path.sep).join('/')))
  .filter((file) => file.endsWith('.ts'))
  .sort()
const source = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

test('npm test runs every test file, and every file with tests is named *.test.ts', () => {
  assert.match(scripts.test ?? '', /npm run test:unit/)
  assert.equal(scripts['test:unit'], 'node scripts/run-tests.js all')
  assert.deepEqual(split.all, testTree.filter((file) => file.endsWith('.test.ts')))
  // A file calling test() under another name would be run by nothing.
  const hidden = testTree.filter((file) => !file.endsWith('.test.ts') && /^\s*(test|describe|it)\(\s*['"`]/m.test(source(file)))
  assert.deepEqual(hidden, [], 'these define tests but no runner picks them up: name them *.test.ts')
})

test('test:fast runs a part of them; the rest are integration tests, each saying what it starts', () => {
  assert.equal(scripts['test:fast'], 'node scripts/run-tests.js fast')
  const integration = Object.keys(split.integration)
  assert.deepEqual([...split.fast, ...integration].sort(), split.all, 'each file is in exactly one tier')
  assert.equal(split.fast.filter((file) => integration.includes(file)).length, 0)
  assert.ok(split.fast.length > 40 && integration.length > 20, `${split.fast.length} fast, ${integration.length} integration`)
  for (const [file, reason] of Object.entries(split.integration)) assert.ok(reason.trim().length > 10, `${file}: say what it starts`)
  assert.ok(split.fast.includes('test/test-split.test.ts'), 'this check runs in the inner loop too')
})

// What makes a test slow and outside the test process: these helpers start downloaders (real or
// fake), ffmpeg, the server as a process, a release server's builds or a browser.
const STARTS_PROCESSES =
  /^import [^\n]* from '([./]*\/(helpers\/(downloaders|fake-downloaders|server-process|probe-media)|fixtures\/(media|media-server|release-server|release-builds)|(web\/)?browser)\.js|playwright-core)'/m

test('a fast file imports nothing that starts downloaders, servers or browsers', () => {
  const offenders = split.fast.filter((file) => STARTS_PROCESSES.test(source(file)))
  assert.deepEqual(offenders, [], 'mark these with a first line `// @integration: <what it starts>` (see README, Tests)')
})
