// `engines` must be true: every package the lock file installs has to run on the oldest Node the
// project promises, or `npm ci` warns EBADENGINE and the dependency may break there.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import semver from 'semver'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }>
}

/** The first version of each line `engines.node` names (`^20.19.0 || >=24` → 20.19.0, 24.0.0). */
function firstOfEachLine(range: string): string[] {
  return new semver.Range(range).set.map((comparators) => {
    const first = semver.minVersion(comparators.map((c) => c.value).join(' '))
    assert.ok(first, `"${range}" has a line with no minimum`)
    return first.version
  })
}

test('every locked package supports every Node line package.json promises', () => {
  const promised = manifest.engines.node
  const unsupported = firstOfEachLine(promised).flatMap((nodeVersion) =>
    Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, entry]) => {
        const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined
        if (range === undefined || semver.satisfies(nodeVersion, range)) return []
        return [`${path.replace(/^node_modules\//, '')}@${entry.version} needs node ${range}, not ${nodeVersion}`]
      }),
  )
  assert.deepEqual(unsupported, [], `engines.node is "${promised}": pick dependency versions that support it`)
})

test('the promise covers Node 20, 22 and 24, the lines the README names', () => {
  const lines = firstOfEachLine(manifest.engines.node).map((version) => semver.major(version))
  for (const major of [20, 22, 24]) assert.ok(lines.some((line) => line <= major), `Node ${major} is not covered`)
  assert.ok(semver.satisfies('24.22.3', manifest.engines.node), 'the Node 24 CI runs on is outside engines')
  assert.ok(!semver.satisfies('18.20.0', manifest.engines.node), 'Node 18 is not supported')
})
