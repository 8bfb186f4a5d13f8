#!/usr/bin/env node
// Which test files run where, and running them:
//   node scripts/run-tests.js all          every test file, one process each (npm test, CI)
//   node scripts/run-tests.js fast         the unit and route tests (npm run test:fast, the inner loop)
//   node scripts/run-tests.js integration  the rest: what starts something outside the test process
//   node scripts/run-tests.js --list       the split as JSON (test/test-split.test.ts checks it)
// Further arguments go to `node --test` (e.g. --test-reporter=dot, --test-name-pattern=...).
//
// A test file is an integration test when it lives in one of INTEGRATION_FOLDERS or carries the
// line `// @integration: <what it starts>` (a real or fake downloader, ffmpeg, the TypeScript
// compiler, a server process, a browser). Everything else is fast: it runs inside the test
// process (the app through inject or a loopback socket, a real SQLite file, a writer thread).
//
// `fast` runs its files in one process per core instead of one per file: loading the app under
// tsx costs about 2 s of CPU per process, more than most fast files take to run. Each process
// takes the next file from a shared queue (longest first, by the last run's times) and runs it as
// one describe() block, so its top-level hooks stay its own. `all` keeps one process per file.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const MARKER = /^\/\/ @integration: (\S.*)$/m

/** Folders whose every test starts something outside the test process, and what. */
export const INTEGRATION_FOLDERS = {
  'test/commands': 'runs the vds CLI in its own process',
  'test/durability': 'kills server processes mid-download',
  'test/tls': 'issues certificates and talks to real TLS servers (openssl, testssl)',
  'test/web': 'drives a real headless Chromium',
}

/** Every test file, as a sorted repository path. */
export function allTestFiles() {
  return readdirSync(path.join(ROOT, 'test'), { recursive: true })
    .map((file) => path.posix.join('test', String(file).split(path.sep).join('/')))
    .filter((file) => file.endsWith('.test.ts'))
    .sort()
}

/** Why `file` is an integration test, or undefined for a fast one. */
export function integrationReason(file) {
  const folder = Object.keys(INTEGRATION_FOLDERS).find((dir) => file.startsWith(`${dir}/`))
  if (folder) return `${folder}/: ${INTEGRATION_FOLDERS[folder]}`
  return MARKER.exec(readFileSync(path.join(ROOT, file), 'utf8'))?.[1]
}

export function split() {
  const all = allTestFiles()
  const integration = Object.fromEntries(all.flatMap((file) => {
    const reason = integrationReason(file)
    return reason === undefined ? [] : [[file, reason]]
  }))
  return { all, fast: all.filter((file) => !(file in integration)), integration }
}

const NODE_TEST = ['--import', 'tsx', '--test', '--test-timeout=180000']
const TIMES_FILE = path.join(ROOT, '.cache', 'test-fast-times.json')

function runNodeTest(args) {
  return spawnSync(process.execPath, [...NODE_TEST, ...args], { cwd: ROOT, stdio: 'inherit' }).status ?? 1
}

function runFast(files, extraArgs) {
  const lastTimes = readJson(TIMES_FILE) ?? {}
  const weight = (file) => lastTimes[file] ?? statSync(path.join(ROOT, file)).size
  const queue = [...files].sort((a, b) => weight(b) - weight(a))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-fast-'))
  try {
    mkdirSync(path.join(dir, 'claims'))
    writeFileSync(path.join(dir, 'queue.json'), JSON.stringify(queue))
    const processes = Math.min(os.availableParallelism(), queue.length)
    const shards = Array.from({ length: processes }, (_, i) => {
      const shard = path.join(dir, `fast-${i + 1}.mjs`)
      writeFileSync(shard, `import { runShard } from ${JSON.stringify(import.meta.url)}\nawait runShard(${JSON.stringify(dir)})\n`)
      return shard
    })
    const status = runNodeTest([`--test-concurrency=${processes}`, ...extraArgs, ...shards])
    const times = readJson(path.join(dir, 'times.json'))
    if (times) {
      mkdirSync(path.dirname(TIMES_FILE), { recursive: true })
      writeFileSync(TIMES_FILE, JSON.stringify({ ...lastTimes, ...times }, null, 1))
    }
    return status
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One fast process: claims files off the queue (mkdir is atomic) and runs each as a describe(). */
export async function runShard(dir) {
  const { describe } = await import('node:test')
  const queue = JSON.parse(readFileSync(path.join(dir, 'queue.json'), 'utf8'))
  for (const [index, file] of queue.entries()) {
    try {
      mkdirSync(path.join(dir, 'claims', String(index)))
    } catch {
      continue // another process has it
    }
    const started = Date.now()
    await describe(file, async () => {
      await import(pathToFileURL(path.join(ROOT, file)).href)
    })
    writeFileSync(path.join(dir, 'claims', String(index), 'ms'), String(Date.now() - started))
  }
  // The last process to finish collects every file's time for the next run's order.
  const times = Object.fromEntries(queue.flatMap((file, index) => {
    const ms = readJson(path.join(dir, 'claims', String(index), 'ms'))
    return ms === undefined ? [] : [[file, ms]]
  }))
  writeFileSync(path.join(dir, 'times.json'), JSON.stringify(times))
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

function main([mode, ...extraArgs]) {
  const tiers = split()
  if (mode === '--list') {
    process.stdout.write(`${JSON.stringify(tiers, null, 1)}\n`)
    return 0
  }
  if (mode === 'all') return runNodeTest(['--test-concurrency=2', ...extraArgs, ...tiers.all])
  if (mode === 'fast') return runFast(tiers.fast, extraArgs)
  if (mode === 'integration') return runNodeTest(['--test-concurrency=2', ...extraArgs, ...Object.keys(tiers.integration)])
  process.stderr.write('usage: node scripts/run-tests.js all|fast|integration|--list [node --test options]\n')
  return 64
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2))
