// @integration: runs scripts/setup.sh with stand-in package managers
// Installing needs no network beyond the package managers (issue 11 item 5), and installs
// gallery-dl like yt-dlp (issue 10 item 3): scripts/setup.sh runs on a PATH where none of the
// downloaders exist and apt-get, npm, curl and wget are stand-ins that only write down their call.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'

const ROOT = path.resolve(import.meta.dirname, '..')
/** What the script itself needs besides bash builtins. */
const REAL_TOOLS = ['node', 'dirname', 'id', 'uname', 'env']
/** Everything that could fetch something. */
const STAND_INS = ['apt-get', 'dnf', 'brew', 'sudo', 'npm', 'curl', 'wget', 'pip', 'pip3', 'pipx', 'python3']

test('setup.sh installs yt-dlp, gallery-dl and ffmpeg with the package manager, then npm; it fetches nothing itself', { timeout: 60_000 }, (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-setup-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const calls = path.join(dir, 'calls.log')
  for (const tool of REAL_TOOLS) symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(dir, tool))
  for (const tool of STAND_INS) {
    writeFileSync(path.join(dir, tool), `#!/bin/bash\necho "${tool} $*" >> '${calls}'\n`, { mode: 0o755 })
  }
  // Only the folder of stand-ins: yt-dlp, gallery-dl and ffmpeg are not installed here.
  const env = { PATH: dir, HOME: dir }
  execFileSync(path.join(dir, 'node'), ['-e', 'process.exit(0)'], { env }) // node runs from there
  execFileSync('/bin/bash', [path.join(ROOT, 'scripts', 'setup.sh')], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })

  const made = readFileSync(calls, 'utf8').trim().split('\n').map((line) => line.replace(/^sudo /, ''))
  const install = made.find((line) => / install /.test(line) && line.startsWith('apt-get'))
  assert.ok(install, made.join('\n'))
  for (const wanted of ['yt-dlp', 'gallery-dl', 'ffmpeg']) assert.ok(install.split(' ').includes(wanted), `${wanted}: ${install}`)
  const programs = [...new Set(made.map((line) => line.split(' ')[0]))]
  assert.deepEqual(programs.sort(), ['apt-get', 'npm'], `only the package managers are run: ${made.join(' | ')}`)
  assert.ok(made.includes('npm ci --no-audit --no-fund'), made.join('\n'))
})
