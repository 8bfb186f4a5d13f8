// Keeps the managed downloaders current: installs one at first start when none is usable (in the
// background: start-up never waits on the network), checks every tools.check_interval_hours, and
// says per attempt which file to run. A failed check is tried again sooner (offline at first start),
// and never replaces a working downloader. Owners' paths are only run, never touched.
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import { checkDownloader, findExecutable, type DownloaderStatus } from '../jobs/preflight.js'
import { ageDays, type PlatformFacts, type ToolName } from './release-assets.js'
import type { FetchFunction } from './release-fetch.js'
import { checkAndInstall, type CheckOutcome, type InstallerDeps } from './tool-installer.js'
import { AUTO_PATH, configuredPath, detectPlatform, SYSTEM_COMMANDS, TOOL_NAMES, ToolKind, toolSource, unmanagedReason, wantsManaged } from './tool-sources.js'
import { readToolsState, toolsDir, writeToolsState, type InstalledTool, type ToolsState } from './tool-state.js'

/** What is known about one downloader: for the API, health and `vds tools status` (no paths). */
export interface ToolStatus {
  name: ToolName
  /** managed: the server's own copy; system: the installed one; owner: the configured path */
  kind: ToolKind
  /** the server keeps this downloader current (a managed copy, or the system one until it is installed) */
  managed: boolean
  available: boolean
  version: string | null
  /** days since the release the version names; null when the version is not a date */
  age_days: number | null
  /** release tag of the managed copy */
  release: string | null
  last_check_at: string | null
  /** null before the first check */
  last_check_ok: boolean | null
  last_check_message: string | null
  /** failed checks in a row */
  failed_checks: number
  /** pinned tag (tools.ytdlp_version) */
  pinned: string | null
}

/** The answer of one check per downloader (POST /api/v1/tools/update). */
export interface ToolCheckResult {
  name: ToolName
  updated: boolean
  version: string | null
  message: string
  ok: boolean
}

export interface ToolsManagerDeps {
  config: Config
  dataDir: string
  log: Logger
  now?: () => Date
  fetch?: FetchFunction
  /** the machine (tests pick an asset) */
  platform?: () => Promise<PlatformFacts>
  /** how soon a failed check is tried again; default 15 minutes (never later than the interval) */
  retryMs?: number
  /** the installed commands used when nothing is managed yet */
  systemCommands?: Partial<Record<ToolName, string>>
  /** how long `--version` of a new file may take */
  versionTimeoutMs?: number
  /** a managed downloader was updated (re-queue what a new release may fix) */
  onUpdated?: (name: ToolName, outcome: CheckOutcome) => Promise<void> | void
}

const HOUR_MS = 60 * 60 * 1000
const MB = 1024 * 1024
const UNAVAILABLE_RECHECK_MS = 30_000

export function createToolsManager(deps: ToolsManagerDeps) {
  const { config, log } = deps
  const dir = toolsDir(deps.dataDir)
  const now = deps.now ?? (() => new Date())
  const intervalMs = config.tools.check_interval_hours * HOUR_MS
  const retryMs = Math.min(deps.retryMs ?? 15 * 60 * 1000, intervalMs)
  const systemCommands = { ...SYSTEM_COMMANDS, ...deps.systemCommands }
  const abort = new AbortController()
  let state: ToolsState = readToolsState(dir)
  let timer: NodeJS.Timeout | undefined
  let running: Promise<ToolCheckResult[]> | undefined
  let started = false
  /** cached `--version` of commands the server does not manage */
  const probed = new Map<string, { status: DownloaderStatus; atMs: number }>()

  const managedFile = (tool: InstalledTool | null) => (tool && existsSync(path.join(dir, tool.file)) ? tool : null)

  /** The managed copy to run: the current one, else the previous one kept to fall back to. */
  function managedCopy(name: ToolName): InstalledTool | null {
    if (!wantsManaged(name, config)) return null
    return managedFile(state[name].current) ?? managedFile(state[name].previous)
  }

  /** The command to run for this attempt; read per attempt, so an update applies to the next one. */
  function commandFor(name: ToolName): { command: string; kind: ToolKind; version: string | null } {
    const configured = configuredPath(name, config)
    if (configured !== AUTO_PATH) return { command: configured, kind: ToolKind.owner, version: null }
    const copy = managedCopy(name)
    if (copy) return { command: path.join(dir, copy.file), kind: ToolKind.managed, version: copy.version }
    return { command: systemCommands[name], kind: ToolKind.system, version: null }
  }

  /** probes under way: a second caller (main.ts asks at start, the first health check soon after) shares the process */
  const probing = new Map<string, Promise<DownloaderStatus>>()

  function probe(command: string): Promise<DownloaderStatus> {
    const cached = probed.get(command)
    if (cached && (cached.status.available || Date.now() - cached.atMs < UNAVAILABLE_RECHECK_MS)) return Promise.resolve(cached.status)
    let pending = probing.get(command)
    if (!pending) {
      pending = (async () => {
        const status = command.includes(path.sep) || (await findExecutable(command)) ? await checkDownloader(command) : { available: false, version: null }
        probed.set(command, { status, atMs: Date.now() })
        return status
      })().finally(() => probing.delete(command))
      probing.set(command, pending)
    }
    return pending
  }

  /** Availability and version of what an attempt would run now (a managed copy is known without a process). */
  async function availability(name: ToolName): Promise<DownloaderStatus> {
    const chosen = commandFor(name)
    if (chosen.kind === ToolKind.managed) return { available: true, version: chosen.version }
    return probe(chosen.command)
  }

  async function status(name: ToolName): Promise<ToolStatus> {
    const chosen = commandFor(name)
    const { available, version } = await availability(name)
    const record = state[name]
    const managed = chosen.kind !== ToolKind.owner && wantsManaged(name, config) && sourceKnown(name)
    return {
      name,
      kind: chosen.kind,
      managed,
      available,
      version,
      age_days: ageDays(version, now()),
      release: chosen.kind === ToolKind.managed ? (managedCopy(name)?.tag ?? null) : null,
      last_check_at: managed ? record.last_check_at : null,
      last_check_ok: managed ? record.last_check_ok : null,
      last_check_message: managed ? record.last_check_message : unmanagedReason(name, config),
      failed_checks: managed ? record.failed_checks : 0,
      pinned: name === 'yt-dlp' && managed ? config.tools.ytdlp_version : null,
    }
  }

  let facts: PlatformFacts | undefined
  const platform = async () => (facts ??= await (deps.platform ?? detectPlatform)())
  /** Before the platform is known, a wanted managed downloader counts as managed. */
  const sourceKnown = (name: ToolName) => !facts || toolSource(name, config, facts) !== null

  async function checkOne(name: ToolName): Promise<ToolCheckResult> {
    const source = toolSource(name, config, await platform())
    if (!source) {
      const { version } = await availability(name)
      return { name, ok: true, updated: false, version, message: unmanagedReason(name, config) }
    }
    const installer: InstallerDeps = {
      dir,
      now,
      checksumLimits: { timeoutMs: 30_000, maxBytes: 1 * MB },
      assetLimits: { timeoutMs: 10 * 60_000, maxBytes: 300 * MB },
      versionTimeoutMs: deps.versionTimeoutMs ?? 60_000,
      signal: abort.signal,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }
    const startedMs = Date.now()
    const outcome = await checkAndInstall(source, state[name], installer)
    state = { ...state, [name]: outcome.record }
    writeToolsState(dir, state)
    const facts = { tool: name, version: outcome.version, duration_ms: Date.now() - startedMs, failed_checks: outcome.record.failed_checks }
    if (!outcome.ok) log.warn({ ...facts, reason: outcome.message }, 'downloader update check failed; the current downloader stays')
    else if (outcome.updated) log.info({ ...facts, reason: outcome.message }, 'downloader updated')
    else log.debug({ ...facts }, 'downloader is current')
    if (outcome.updated) {
      try {
        await deps.onUpdated?.(name, outcome)
      } catch (err) {
        log.error({ err, tool: name }, 'could not act on a downloader update')
      }
    }
    return { name, ok: outcome.ok, updated: outcome.updated, version: outcome.version ?? (await availability(name)).version, message: outcome.message }
  }

  /** Checks every downloader now (one check at a time; a second caller shares the first). */
  function checkNow(): Promise<ToolCheckResult[]> {
    running ??= (async () => {
      const results: ToolCheckResult[] = []
      for (const name of TOOL_NAMES) results.push(await checkOne(name))
      return results
    })().finally(() => {
      running = undefined
      if (started && !abort.signal.aborted) schedule()
    })
    return running
  }

  /** When the next automatic check is due: now when a wanted copy is missing or the pin changed. */
  function nextDelayMs(): number | null {
    const wanted = TOOL_NAMES.filter((name) => wantsManaged(name, config) && sourceKnown(name))
    if (wanted.length === 0) return null
    const delays = wanted.map((name) => {
      const record = state[name]
      const copy = managedCopy(name)
      if (!copy && record.last_check_ok !== false) return 0
      if (name === 'yt-dlp' && copy && config.tools.ytdlp_version !== null && copy.tag !== config.tools.ytdlp_version && record.last_check_ok !== false) return 0
      const last = record.last_check_at ? Date.parse(record.last_check_at) : 0
      const wait = record.last_check_ok === false ? retryMs : intervalMs
      return Math.max(0, last + wait - now().getTime())
    })
    return Math.min(...delays)
  }

  function schedule(): void {
    clearTimeout(timer)
    const delay = nextDelayMs()
    if (delay === null) return
    timer = setTimeout(() => {
      checkNow().catch((err: unknown) => log.error({ err }, 'downloader update check failed'))
    }, Math.min(delay, 24 * HOUR_MS))
    timer.unref()
  }

  return {
    dir,

    /** Starts the schedule; a missing managed copy is installed now, in the background. */
    start(): void {
      if (started) return
      started = true
      platform().then(schedule, (err: unknown) => log.warn({ err }, 'could not tell which downloader builds fit this machine'))
    },

    /** Stops the schedule and aborts a check in flight (its temp file is removed). */
    async stop(): Promise<void> {
      started = false
      clearTimeout(timer)
      abort.abort()
      await running?.catch(() => undefined)
    },

    /** The command an attempt runs now, and whether it is the managed copy. */
    commandFor,

    /** yt-dlp's availability for the queue and health: cheap, no process for a managed copy. */
    ytdlpAvailability: () => availability('yt-dlp'),

    status: (name: ToolName) => status(name),

    /** Every downloader's status. */
    statuses: () => Promise.all(TOOL_NAMES.map((name) => status(name))),

    checkNow,

    /** Forgets cached versions (a downloader was found missing by a spawn). */
    forgetProbes: () => probed.clear(),
  }
}

export type ToolsManager = ReturnType<typeof createToolsManager>
