// The managed yt-dlp on the real server (issue 11's closing figures): a first start on an empty
// data folder with ytdlp.path auto and tools.ytdlp_release_url at a loopback release server in
// GitHub's layout, serving zipapps built from yt-dlp's real sources (test/fixtures/release-builds.ts,
// as the tools tests use). Timed from spawning the server: healthy, then the managed copy installed
// (GET /api/v1/tools shows it). Then a new release is published and POST /api/v1/tools/update
// swaps it in (request to answer); a second POST finds nothing new; a restart uses the installed
// copy without downloading it again. Every step checks the release server's download counts.
import { startReleaseServer, type ReleaseServer } from '../test/fixtures/release-server.js'
import { NEW_VERSION, OLD_VERSION, releaseBuilds } from '../test/fixtures/release-builds.js'
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import { loadAverage1m } from './machine.js'
import type { BenchContext, Figure, Measurement } from './measurement.js'
import { BENCH_SERVER_CONFIG, BENCH_START_TIMEOUT_MS } from './server-config.js'
import { median } from './stats.js'

const RUNS = 3
/** The asset the server asks for on linux x64 (release-assets.ts); a zipapp runs under that name too. */
const ASSET = process.platform === 'darwin' ? 'yt-dlp_macos' : process.arch === 'arm64' ? 'yt-dlp_linux_aarch64' : 'yt-dlp_linux'
const INSTALL_TIMEOUT_MS = 120_000

interface ToolInfo { name: string; kind: string; version: string | null; release: string | null; last_check_ok: boolean | null }
interface UpdateAnswer { results: { name: string; updated: boolean; version: string | null; message: string }[]; tools: ToolInfo[] }

interface RunTimes { healthy: number; installed: number; update: number; noChange: number; restartHealthy: number; load: number }

export const toolsTimes: Measurement = {
  name: 'tools-times',
  description: `managed yt-dlp from a loopback release server, ${RUNS} runs: first start and install, an update, a check with nothing new, a restart`,
  run: async (context) => {
    const builds = releaseBuilds()
    context.log(`release builds: ${OLD_VERSION} ${(builds.ytdlpOld.bytes.length / 2 ** 20).toFixed(1)} MB, ${NEW_VERSION} ${(builds.ytdlpNew.bytes.length / 2 ** 20).toFixed(1)} MB (uncompressed zipapps)`)
    const runs: RunTimes[] = []
    for (let run = 1; run <= RUNS; run++) {
      const releases = await startReleaseServer()
      try {
        const times = await oneRun(context, releases, builds)
        context.log(`run ${run}: healthy ${ms(times.healthy)}, installed ${ms(times.installed)} after spawn; update ${ms(times.update)}; ` +
          `check with nothing new ${ms(times.noChange)}; restart to healthy ${ms(times.restartHealthy)}; load ${times.load}`)
        runs.push(times)
      } finally {
        await releases.close()
      }
    }
    return figures(runs, builds.ytdlpOld.bytes.length, builds.ytdlpNew.bytes.length)
  },
}

async function oneRun(context: BenchContext, releases: ReleaseServer, builds: ReturnType<typeof releaseBuilds>): Promise<RunTimes> {
  releases.publish('yt-dlp', OLD_VERSION, { [ASSET]: builds.ytdlpOld.bytes })
  const dir = context.tempDir('vds-bench-tools-')
  const config = {
    ...BENCH_SERVER_CONFIG,
    ytdlp: { path: 'auto' },
    // gallery-dl stays the installed one: only yt-dlp's release server is the fixture
    gallery_dl: { path: 'gallery-dl' },
    tools: { managed: true, ytdlp_release_url: releases.baseUrl('yt-dlp') },
  }
  const load = loadAverage1m()
  const spawnedAt = performance.now()
  let server: ServerProcess = await startServerProcess({ dir, config, startTimeoutMs: BENCH_START_TIMEOUT_MS })
  try {
    const healthy = performance.now() - spawnedAt
    await waitForRelease(server, OLD_VERSION)
    const installed = performance.now() - spawnedAt
    expectDownloads(releases, 1, 'first install')

    releases.publish('yt-dlp', NEW_VERSION, { [ASSET]: builds.ytdlpNew.bytes })
    const update = await timedUpdate(server, true, NEW_VERSION)
    expectDownloads(releases, 2, 'update')
    const noChange = await timedUpdate(server, false, NEW_VERSION)
    expectDownloads(releases, 2, 'check with nothing new')

    await server.stop()
    const restartedAt = performance.now()
    server = await startServerProcess({ dir, config, startTimeoutMs: BENCH_START_TIMEOUT_MS })
    const restartHealthy = performance.now() - restartedAt
    await waitForRelease(server, NEW_VERSION)
    expectDownloads(releases, 2, 'restart')
    return { healthy, installed, update, noChange, restartHealthy, load }
  } finally {
    await server.stop()
  }
}

async function tools(server: ServerProcess): Promise<ToolInfo[]> {
  const answer = await server.request('/api/v1/tools')
  if (answer.status !== 200) throw new Error(`GET /api/v1/tools answered ${answer.status}: ${answer.body}`)
  return (JSON.parse(answer.body) as { tools: ToolInfo[] }).tools
}

/** Polls every 20 ms until the managed yt-dlp of `release` is the one that runs. */
async function waitForRelease(server: ServerProcess, release: string): Promise<void> {
  const deadline = Date.now() + INSTALL_TIMEOUT_MS
  for (;;) {
    const ytdlp = (await tools(server)).find((tool) => tool.name === 'yt-dlp')
    if (ytdlp?.kind === 'managed' && ytdlp.release === release && ytdlp.version === release) return
    if (Date.now() > deadline) throw new Error(`the managed yt-dlp ${release} was not installed within ${INSTALL_TIMEOUT_MS} ms: ${JSON.stringify(ytdlp)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** POST /api/v1/tools/update, request to answer; the answer must say what the release server holds. */
async function timedUpdate(server: ServerProcess, expectUpdated: boolean, version: string): Promise<number> {
  const startedAt = performance.now()
  const answer = await server.request('/api/v1/tools/update', { method: 'POST', timeoutMs: INSTALL_TIMEOUT_MS })
  const elapsed = performance.now() - startedAt
  if (answer.status !== 200) throw new Error(`POST /api/v1/tools/update answered ${answer.status}: ${answer.body}`)
  const body = JSON.parse(answer.body) as UpdateAnswer
  const ytdlp = body.results.find((result) => result.name === 'yt-dlp')
  const running = body.tools.find((tool) => tool.name === 'yt-dlp')
  if (ytdlp?.updated !== expectUpdated || running?.version !== version || running.last_check_ok !== true) {
    throw new Error(`update answered ${JSON.stringify(ytdlp)} with ${JSON.stringify(running)}, expected updated=${expectUpdated} to ${version}`)
  }
  return elapsed
}

function expectDownloads(releases: ReleaseServer, count: number, step: string): void {
  const seen = releases.downloads(ASSET)
  if (seen !== count) throw new Error(`after the ${step} the release server sent ${ASSET} ${seen} times, expected ${count}`)
}

const ms = (value: number) => `${Math.round(value)} ms`

function figures(runs: RunTimes[], oldBytes: number, newBytes: number): Figure[] {
  const load = runs.map((run) => run.load)
  const figure = (id: string, label: string, pick: (run: RunTimes) => number, detail: string): Figure => {
    const values = runs.map(pick)
    return { id, label, value: median(values), unit: 'ms', load, detail: `${detail}; median of ${values.length} (${values.map(Math.round).join(', ')} ms)` }
  }
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`
  return [
    figure('tools_first_start_healthy_ms', 'First start, empty data folder: spawn to healthy', (run) => run.healthy,
      'ytdlp.path auto, tools.ytdlp_release_url at the loopback release server; the install runs in the background'),
    figure('tools_first_install_ms', 'First start: spawn to the managed yt-dlp installed and running', (run) => run.installed,
      `${mb(oldBytes)} zipapp of ${OLD_VERSION}: download, SHA-256 check against SHA2-256SUMS, --version, swap; GET /api/v1/tools polled every 20 ms`),
    figure('tools_update_ms', 'POST /api/v1/tools/update with a new release: request to answer', (run) => run.update,
      `${mb(newBytes)} zipapp of ${NEW_VERSION}, same steps as the install; the previous copy is kept`),
    figure('tools_check_unchanged_ms', 'POST /api/v1/tools/update with nothing new: request to answer', (run) => run.noChange,
      'SHA2-256SUMS compared with the installed file; nothing downloaded'),
    figure('tools_restart_healthy_ms', 'Restart with the managed copy installed: spawn to healthy', (run) => run.restartHealthy,
      'the installed copy is used; the release server sends nothing'),
  ]
}
