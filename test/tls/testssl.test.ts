// An independent scanner against the real server: `vds serve` (built dist/, local CA) on loopback,
// scanned by testssl (scripts/setup.sh --test installs it; a missing testssl fails, it is not skipped)
// for protocols, cipher categories and LUCKY13. Bounded: testssl is killed after SCAN_TIMEOUT_MS.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'node:test'
import { ensureFreshBuild, startServerProcess } from '../helpers/server-process.js'

// About two minutes on a busy two-core machine; most of it is testssl's own bash.
const SCAN_TIMEOUT_MS = 420_000

interface Finding {
  id: string
  severity: string
  finding: string
}

function runTestssl(target: string, jsonFile: string): Promise<{ code: number; output: string }> {
  const args = ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none', '--connect-timeout', '10',
    '--openssl-timeout', '10', '-p', '-s', '-L', '--jsonfile', jsonFile, target]
  return new Promise((resolve, reject) => {
    execFile('testssl', args, { timeout: SCAN_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('testssl is not installed: run scripts/setup.sh --test (Debian package testssl.sh)'))
        return
      }
      if (error?.killed) {
        reject(new Error(`testssl did not finish within ${SCAN_TIMEOUT_MS} ms:\n${stdout}${stderr}`))
        return
      }
      // testssl's exit code counts findings; the JSON file is what is judged.
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` })
    })
  })
}

test('testssl finds only TLS 1.2/1.3, no CBC or weaker cipher categories, and no LUCKY13', { timeout: SCAN_TIMEOUT_MS + 60_000 }, async (t) => {
  ensureFreshBuild()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vds-testssl-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServerProcess({ dir })
  t.after(() => server.stop())
  const jsonFile = path.join(dir, 'testssl.json')
  const { output } = await runTestssl(new URL(server.url).host, jsonFile)

  const findings = JSON.parse(readFileSync(jsonFile, 'utf8')) as Finding[]
  const byId = new Map(findings.map((f) => [f.id, f]))
  const finding = (id: string) => {
    const found = byId.get(id)
    assert.ok(found, `testssl reported ${id}:\n${output}`)
    return found.finding
  }
  for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) assert.match(finding(id), /^not offered/, `${id}:\n${output}`)
  assert.match(finding('TLS1_2'), /^offered/)
  assert.match(finding('TLS1_3'), /^offered/)
  // cipherlist_AVERAGE is testssl's "Obsolete CBC ciphers (AES, ARIA etc.)".
  for (const id of ['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA', 'cipherlist_AVERAGE']) {
    assert.match(finding(id), /^not offered/, `${id}:\n${output}`)
  }
  assert.match(finding('cipherlist_STRONG'), /^offered/)
  assert.match(finding('LUCKY13'), /^not vulnerable/, output)
})
