// The house rules a reviewer would otherwise check by hand: no import circle in src/ (type-only
// imports count: they still tie modules together), no source file over 400 lines, only entry
// points loose in src/, and nothing in the repository pointing outside it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { lstatSync, readFileSync } from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import ts from 'typescript'

const ROOT = path.resolve(import.meta.dirname, '..')
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && lstatSync(path.join(ROOT, file), { throwIfNoEntry: false })?.isFile())
const sourceFiles = tracked.filter((file) => /\.(ts|js|mjs|css|html|sh|lua)$/.test(file) && !file.startsWith('test/fixtures/'))

/** Relative imports of one file (static, type-only, re-exports and dynamic), as repository paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true)
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts'))
}

/** Every cycle found by a depth-first walk, each as the chain of files that closes it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return cycles
}

test('the cycle finder finds a type-only circle and accepts a tree', () => {
  assert.deepEqual(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), [['a', 'b', 'c', 'a']])
  assert.deepEqual(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), [])
  const importsTypeOnly = ts.preProcessFile("import type { X } from './x.js'\nexport type { Y } from './y.js'", true, true)
  assert.deepEqual(importsTypeOnly.importedFiles.map((ref) => ref.fileName), ['./x.js', './y.js'])
})

test('no import circle in src/, type-only imports included', () => {
  const graph = new Map(tracked.filter((f) => f.startsWith('src/') && f.endsWith('.ts')).map((file) => [file, importsOf(file)]))
  assert.ok(graph.size > 50, 'the walk sees the source tree')
  assert.deepEqual(findCycles(graph).map((cycle) => cycle.join(' → ')), [])
})

test('no source file over 400 lines', () => {
  const long = sourceFiles
    .map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > 400)
  assert.deepEqual(long, [])
})

test('src/ holds only entry points; everything else is in a room', () => {
  const loose = tracked.filter((file) => /^src\/[^/]+$/.test(file))
  assert.deepEqual(loose.sort(), ['src/cli.ts', 'src/composition-root.ts', 'src/main.ts'])
})

test('test/ mirrors src/: each test folder is a room of src/ (or a test-only folder)', () => {
  const srcRooms = new Set(tracked.filter((f) => f.startsWith('src/')).map((f) => path.posix.dirname(f)))
  const testOnly = /^test(\/(helpers|fixtures|durability|web|bench)(\/.*)?)?$/
  const strays = [...new Set(tracked.filter((f) => f.startsWith('test/') && f.endsWith('.test.ts')).map((f) => path.posix.dirname(f)))]
    .filter((dir) => !testOnly.test(dir) && !srcRooms.has(dir.replace(/^test/, 'src')) && !srcRooms.has(path.posix.dirname(dir).replace(/^test/, 'src')))
  assert.deepEqual(strays, [])
})

test('nothing in the repository points at the shared folder outside it', () => {
  const outside = ['..', 'shared'].join('/')
  const specFile = ['SPEC', 'md'].join('.')
  const hits = tracked
    .filter((file) => !file.startsWith('test/fixtures/') && file !== 'package-lock.json')
    .filter((file) => {
      const text = readFileSync(path.join(ROOT, file), 'utf8')
      return text.includes(outside) || text.includes(specFile)
    })
  assert.deepEqual(hits, [])
})
