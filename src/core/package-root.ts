// The package's root folder (where package.json, public/ and config.example.yaml are), found from
// this module's location: src/core/ under tsx, dist/ when built (scripts/build.js bundles every module
// into files directly under dist/), so a fixed relative path would be right for only one of them.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'video-download-server'

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${start}`)
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)))

/** A path inside the package, e.g. packagePath('public'). */
export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts)
}
