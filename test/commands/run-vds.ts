// Runs the `vds` command line from source (node --import tsx src/cli.ts) in a child process, the way
// a person runs it: its own working directory, its own environment, exit code and output captured.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))
// Resolved here, not in the child: the child's working directory is a temp folder without node_modules.
const TSX_LOADER = import.meta.resolve('tsx')
const DEFAULT_TIMEOUT_MS = 60_000

export interface VdsRun {
  code: number
  stdout: string
  stderr: string
}

export interface RunVdsOptions {
  cwd: string
  /** added to the environment, after the caller's VDS_* variables were removed */
  env?: Record<string, string>
  timeoutMs?: number
}

/** Runs `vds <args>` to completion (killed after the timeout) and resolves with what it printed. */
export function runVds(args: string[], options: RunVdsOptions): Promise<VdsRun> {
  const inherited = Object.entries(process.env).filter(
    // VDS_* would override the test's config; NODE_TEST_CONTEXT would make the child report to this runner.
    ([name]) => !name.startsWith('VDS_') && name !== 'NODE_TEST_CONTEXT',
  )
  const env = { ...Object.fromEntries(inherited), ...options.env }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, CLI, ...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** A fresh working directory, removed after the test. */
export function makeWorkDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `<dir>/<name>` with the given YAML text and returns its path. */
export function writeConfig(dir: string, yaml: string, name = 'config.yaml'): string {
  const file = path.join(dir, name)
  writeFileSync(file, yaml)
  return file
}
