// Signed Shortcut files for the pairing page, where the server runs on macOS with Apple's
// `shortcuts` command: each Shortcut is written as an XML property list to a private temporary
// folder and `shortcuts sign --mode anyone` turns it into a file any iPhone imports. Elsewhere (or
// when signing fails) there are no files and the page shows the step lists.
// The files hold no key (an import question asks for it when the Shortcut is added), so one signed
// copy per server URL serves every phone: it is made at the first pairing page and kept in memory.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Logger } from '../../core/logger.js'
import { findExecutable } from '../../jobs/preflight.js'
import { newAttemptMarker } from '../../process/attempt-marker.js'
import { runBounded } from '../../process/spawn-bounded.js'
import { SHORTCUT_FILES, unsignedShortcut } from './shortcut-catalog.js'

/** A signed Shortcut, ready to be served. */
export interface SignedShortcut {
  slug: string
  name: string
  bytes: Buffer
}

export interface ShortcutSignerDeps {
  log: Logger
  /** default process.platform: only 'darwin' has `shortcuts sign` */
  platform?: NodeJS.Platform
  /** where `shortcuts` is looked for (default the PATH variable) */
  searchPath?: string
  /** for signing both files; a page waits no longer than this (default 30 s) */
  timeoutMs?: number
  /** after a failure, the next page tries again only this much later (default 10 minutes) */
  retryAfterMs?: number
  /** parent of the temporary folders (default the system's) */
  tempRoot?: string
  now?: () => number
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_RETRY_AFTER_MS = 10 * 60_000
/** A signed Shortcut is tens of KB (the plist and Apple's certificate chain); more is not one. */
const MAX_SIGNED_BYTES = 4 * 1024 * 1024
const KILL_GRACE_MS = 1_000
const OUTPUT_LIMITS = { maxOutputBytes: 1024 * 1024, stderrTailBytes: 2048, maxLineBytes: 2048, pipeGraceMs: 500 }

class SigningFailed extends Error {}

async function readBounded(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size === 0 || size > maxBytes) throw new SigningFailed(`the signed file has ${size} bytes`)
    const bytes = Buffer.alloc(size)
    await handle.read(bytes, 0, size, 0)
    return bytes
  } finally {
    await handle.close()
  }
}

export function createShortcutSigner(deps: ShortcutSignerDeps) {
  const platform = deps.platform ?? process.platform
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retryAfterMs = deps.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS
  const now = deps.now ?? Date.now
  const stopping = new AbortController()
  const inFlight = new Set<Promise<unknown>>()
  const cache = new Map<string, { files: Promise<SignedShortcut[] | null>; failedAt?: number }>()

  async function signOne(command: string, dir: string, serverUrl: string, file: (typeof SHORTCUT_FILES)[number], deadline: number): Promise<SignedShortcut> {
    const input = path.join(dir, `${file.slug}.unsigned.shortcut`)
    const output = path.join(dir, `${file.slug}.shortcut`)
    await writeFile(input, unsignedShortcut(file, serverUrl), { mode: 0o600 })
    const remaining = deadline - now()
    if (remaining <= 0) throw new SigningFailed('no time left')
    const outcome = await runBounded({
      command,
      args: ['sign', '--mode', 'anyone', '--input', input, '--output', output],
      marker: newAttemptMarker('local', 'shortcuts-sign'),
      timeoutMs: remaining,
      killGraceMs: KILL_GRACE_MS,
      signal: stopping.signal,
      limits: OUTPUT_LIMITS,
    })
    if (outcome.spawnError) throw new SigningFailed(`could not start it: ${outcome.spawnError.code ?? outcome.spawnError.message}`)
    if (outcome.stoppedBy) throw new SigningFailed(`stopped (${outcome.stoppedBy})`)
    if (outcome.exitCode !== 0) throw new SigningFailed(`exit ${outcome.exitCode ?? outcome.signal}: ${outcome.stderr.trim().slice(0, 500)}`)
    return { slug: file.slug, name: file.name, bytes: await readBounded(output, MAX_SIGNED_BYTES) }
  }

  async function signAll(serverUrl: string): Promise<SignedShortcut[] | null> {
    if (platform !== 'darwin') return null
    const command = await findExecutable('shortcuts', deps.searchPath ?? process.env.PATH ?? '')
    if (command === null) return null
    const deadline = now() + timeoutMs
    const dir = await mkdtemp(path.join(deps.tempRoot ?? tmpdir(), 'vds-shortcuts-'))
    try {
      // One after the other: two signings at once gain little and Apple's signing is not ours to load.
      const signed: SignedShortcut[] = []
      for (const file of SHORTCUT_FILES) signed.push(await signOne(command, dir, serverUrl, file, deadline))
      deps.log.info({ files: signed.map((f) => f.slug) }, 'signed the Shortcuts for the pairing page')
      return signed
    } catch (err) {
      const reason = err instanceof SigningFailed ? err.message : String(err)
      deps.log.warn({ reason }, '`shortcuts sign` failed: the pairing page shows the step lists instead')
      return null
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  const within = <T>(work: Promise<T>, fallback: T, ms: number): Promise<T> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))
    return Promise.race([work, late]).finally(() => clearTimeout(timer))
  }

  return {
    /**
     * The signed files for `serverUrl`, or null where there are none (not macOS, no `shortcuts`,
     * signing failed or did not finish within the timeout). Never rejects.
     */
    files(serverUrl: string): Promise<SignedShortcut[] | null> {
      if (platform !== 'darwin' || stopping.signal.aborted) return Promise.resolve(null)
      const cached = cache.get(serverUrl)
      if (cached && (cached.failedAt === undefined || now() - cached.failedAt < retryAfterMs)) return within(cached.files, null, timeoutMs)
      const entry: { files: Promise<SignedShortcut[] | null>; failedAt?: number } = { files: Promise.resolve(null) }
      entry.files = signAll(serverUrl).then((files) => {
        if (files === null) entry.failedAt = now()
        return files
      })
      cache.set(serverUrl, entry)
      inFlight.add(entry.files)
      void entry.files.finally(() => inFlight.delete(entry.files))
      return within(entry.files, null, timeoutMs)
    },
    /** Stops a signing in progress and waits for its temporary files to be removed. */
    async stop(): Promise<void> {
      stopping.abort()
      await Promise.allSettled([...inFlight])
    },
  }
}

export type ShortcutSigner = ReturnType<typeof createShortcutSigner>
