import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { LOCK_FILE, acquireInstanceLock, currentBoot } from '../../src/process/instance-lock.js'

function tempDataDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-lock-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('a second server on the same data folder is refused while the first runs', (t) => {
  const dataDir = tempDataDir(t)
  const otherServer = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.after(() => otherServer.kill('SIGKILL'))
  writeFileSync(path.join(dataDir, LOCK_FILE), `${otherServer.pid}\n`)

  assert.throws(
    () => acquireInstanceLock(dataDir),
    new RegExp(`Another Video Download Server \\(pid ${otherServer.pid}\\) is using .*; stop it first`),
  )
  assert.equal(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim(), String(otherServer.pid), 'the lock is untouched')
})

test('the lock is taken, released, and a stale lock of a dead process is taken over', (t) => {
  const dataDir = tempDataDir(t)
  const lockFile = path.join(dataDir, LOCK_FILE)
  const release = acquireInstanceLock(dataDir)
  assert.equal(readFileSync(lockFile, 'utf8'), `${process.pid}\n${currentBoot()}\n`)
  release()
  release()
  assert.equal(existsSync(lockFile), false)

  const deadPid = spawnSync('true').pid
  writeFileSync(lockFile, `${deadPid}\n`)
  const releaseAgain = acquireInstanceLock(dataDir)
  assert.equal(readFileSync(lockFile, 'utf8').split('\n')[0], String(process.pid))
  releaseAgain()
})

test('a lock from an earlier boot is stale even when its pid is in use again (power cut)', (t) => {
  const dataDir = tempDataDir(t)
  const lockFile = path.join(dataDir, LOCK_FILE)
  const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.after(() => unrelated.kill('SIGKILL'))
  writeFileSync(lockFile, `${unrelated.pid}\nboot_id:00000000-0000-0000-0000-000000000000\n`)
  const release = acquireInstanceLock(dataDir)
  assert.equal(readFileSync(lockFile, 'utf8').split('\n')[0], String(process.pid))
  release()

  writeFileSync(lockFile, `${unrelated.pid}\n${currentBoot()}\n`)
  assert.throws(() => acquireInstanceLock(dataDir), /Another Video Download Server/, 'the same boot: still refused')
})
