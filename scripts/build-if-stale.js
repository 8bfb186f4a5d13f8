#!/usr/bin/env node
// `npm start`'s prestart: builds dist/ only when it is missing or older than the sources, so a start
// on a current build costs a few stat() calls (about 5 ms) instead of a build (scripts/build.js).
// Stale means: dist/cli.js is missing, or a file under src/, package.json or the build script is
// newer than it (a git checkout, pull or edit sets the new mtime). `npm run build` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const builtCli = path.join(root, 'dist', 'cli.js')
const inputs = ['package.json', path.join('scripts', 'build.js')].map((file) => path.join(root, file))

function newestSourceMtimeMs() {
  let newest = 0
  for (const file of inputs) if (existsSync(file)) newest = Math.max(newest, statSync(file).mtimeMs)
  const src = path.join(root, 'src')
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    // Directories too: a deleted or renamed source file changes its folder's mtime.
    newest = Math.max(newest, statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs)
  }
  return Math.max(newest, statSync(src).mtimeMs)
}

export function isBuildStale() {
  if (!existsSync(builtCli)) return true
  return newestSourceMtimeMs() > statSync(builtCli).mtimeMs
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (isBuildStale()) {
    process.stderr.write('dist/ is older than src/: building (npm run build)\n')
    // The build empties dist/ first: a failed one leaves no dist/cli.js, so the next start builds again.
    const { buildDist } = await import('./build.js')
    await buildDist(root).catch(() => process.exit(1))
  }
}
