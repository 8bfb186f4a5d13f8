// One way to get a scratch folder in a test: under the OS temp dir, removed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'

/** A fresh directory, removed (with everything in it) after the test `t`. */
export function tempDir(t: Pick<TestContext, 'after'>, prefix = 'vds-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
