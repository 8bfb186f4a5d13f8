import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeWorkDir, runVds, writeConfig } from './run-vds.js'

const EVERY_COMMAND = ['serve', 'init', 'doctor', 'submit', 'service', 'keys']

test('vds --help lists every command', { timeout: 60_000 }, async (t) => {
  const run = await runVds(['--help'], { cwd: makeWorkDir(t) })
  assert.equal(run.code, 0, run.stderr)
  for (const command of EVERY_COMMAND) assert.match(run.stdout, new RegExp(`^  ${command}\\b`, 'm'), command)
})

test('an unknown config key stops every command with exit code 78, naming the key', { timeout: 120_000 }, async (t) => {
  const dir = makeWorkDir(t)
  const configFile = writeConfig(dir, 'server:\n  prot: 8443\n')
  const invocations = [
    ['serve'],
    ['init'],
    ['doctor'],
    ['doctor', '--json'],
    ['submit', 'https://www.tiktok.com/@a/video/1'],
    ['service', 'install', '--dry-run'],
    ['keys', 'list'],
  ]
  const runs = await Promise.all(invocations.map((args) => runVds([...args, '--config', configFile], { cwd: dir })))
  runs.forEach((run, index) => {
    const label = invocations[index]!.join(' ')
    assert.equal(run.code, 78, `${label}: ${run.stdout}${run.stderr}`)
    assert.match(run.stdout + run.stderr, /server\.prot/, label)
  })
})

test('a mistyped command or missing argument is a usage error (exit 2)', { timeout: 60_000 }, async (t) => {
  const dir = makeWorkDir(t)
  const runs = await Promise.all([['submti'], ['submit'], ['service'], ['service', 'uninstall']].map((args) => runVds(args, { cwd: dir })))
  for (const run of runs) assert.equal(run.code, 2, run.stdout + run.stderr)
  assert.match(runs[1]!.stderr, /usage: vds submit URL/)
})
