#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild (a few hundred ms; `npm run typecheck` checks
// the types). One bundle instead of ~170 compiled files plus TypeBox's ~680 modules makes start-up
// and idle memory smaller: TypeBox alone took 0.4-0.9 s and ~16 MB RSS to import as separate files,
// about 0.09 s and ~4 MB bundled (measured on this project's 2-core machine).
// Every other package stays external (loaded from node_modules as before): better-sqlite3 is native,
// @fastify/swagger-ui serves files from its own folder, and the CommonJS packages would need
// require() shims inside an ES module bundle.
// All outputs sit directly in dist/ (entries and the chunks that dynamic import() keeps lazy), so a
// module's `new URL('./x.js', import.meta.url)` finds a sibling entry; paths to the package root go
// through src/core/package-root.ts.
import { chmodSync, rmSync } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** The entry points: the CLI and the files started as threads or child processes by path. */
export const ENTRY_POINTS = {
  cli: 'src/cli.ts',
  'writer-thread': 'src/db/writer-thread.ts',
  'issuer-process': 'src/tls/issuer-process.ts',
}

/** Packages loaded from node_modules at run time; every other one is bundled into dist/. */
const EXTERNAL_PACKAGES = ['better-sqlite3', '@fastify/swagger-ui']

const bundledOrExternal = {
  name: 'bundle-only-listed-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0]
      return EXTERNAL_PACKAGES.includes(name) ? { path: args.path, external: true } : undefined
    })
  },
}

/** Builds root/dist from root/src; rejects on a syntax or resolution error (esbuild prints it). */
export async function buildDist(root) {
  const outdir = path.join(root, 'dist')
  rmSync(outdir, { recursive: true, force: true })
  await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [bundledOrExternal],
    // CommonJS packages inside an ES module bundle call require(): give them one.
    banner: { js: "import { createRequire as __vdsCreateRequire } from 'node:module'; const require = __vdsCreateRequire(import.meta.url);" },
  })
  chmodSync(path.join(outdir, 'cli.js'), 0o755)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../', import.meta.url))
  buildDist(root).catch(() => process.exit(1))
}
