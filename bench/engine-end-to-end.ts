// The server's whole path for a large file beside yt-dlp alone, on the same fixture URL at full
// loopback speed: from POST to the `completed` status event, against two bare commands spawned
// from here. The plain command (`--ignore-config --no-playlist -o`) is what a person would type;
// the server's own command line (buildYtDlpArgs) run without the server isolates what the server
// adds (queueing, progress parsing, database writes), since the options alone change yt-dlp's time.
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { parseConfig } from '../src/core/config.js'
import { findExecutable } from '../src/jobs/preflight.js'
import { buildYtDlpArgs } from '../src/jobs/ytdlp/args.js'
import { DOWNLOAD_TIMEOUT_MS, withEngineBench, type EngineBench } from './engine-server.js'
import type { Figure, Measurement } from './measurement.js'
import { median } from './stats.js'

const execFileAsync = promisify(execFile)

const RUNS = 5

/** yt-dlp arguments that download `url` into `outputDir`. */
type BareCommand = (outputDir: string, url: string, canMerge: boolean) => string[]

const PLAIN_COMMAND: BareCommand = (outputDir, url) => ['--ignore-config', '--no-playlist', '-o', path.join(outputDir, '%(id)s.%(ext)s'), '--', url]

/** Exactly what the worker runs with the default config, which the benchmarked server uses. */
const SERVER_COMMAND: BareCommand = (outputDir, url, canMerge) =>
  buildYtDlpArgs({ url, jobId: path.basename(outputDir), ytdlp: parseConfig({}).ytdlp, downloadsDir: outputDir, userAgent: null, canMerge })

export const engineEndToEnd: Measurement = {
  name: 'engine-end-to-end',
  description: `~25 MB fixture, ${RUNS} runs each: through the server (POST to completed) and bare yt-dlp`,
  run: (context) =>
    withEngineBench(context, 'vds-bench-e2e-', async (bench) => {
      const bareDir = context.tempDir('vds-bench-bare-')
      // The worker looks ffmpeg up the same way; it decides the format and merge options.
      const canMerge = (await findExecutable('ffmpeg')) !== null
      const times = { server: [] as number[], plain: [] as number[], serverArgs: [] as number[] }
      // Run 0 warms the page cache (python modules, the fixture file) and is not counted. The kinds
      // alternate so that a slow moment of the machine does not fall on one side only.
      for (let run = 0; run <= RUNS; run++) {
        const url = bench.media.url(`/large.mp4?run=${run}`) // the same link twice would be deduplicated
        const server = await timeThroughServer(bench, url)
        const plain = await timeBareYtDlp(bench, PLAIN_COMMAND(path.join(bareDir, `plain-${run}`), url, canMerge))
        const serverArgs = await timeBareYtDlp(bench, SERVER_COMMAND(path.join(bareDir, `server-args-${run}`), url, canMerge))
        if (run === 0) continue
        times.server.push(server)
        times.plain.push(plain)
        times.serverArgs.push(serverArgs)
        context.log(`run ${run}: server ${Math.round(server)} ms, bare yt-dlp ${Math.round(plain)} ms, with the server's arguments ${Math.round(serverArgs)} ms`)
      }
      return figures(times, bench.media.largeVideo.size)
    }),
}

async function timeThroughServer(bench: EngineBench, url: string): Promise<number> {
  const { id, sentAt } = await bench.submit(url)
  const completedAt = await bench.events.reached(id, 'completed', DOWNLOAD_TIMEOUT_MS)
  const status = JSON.parse((await bench.server.request(`/api/v1/status/${id}`)).body) as { file_size: number | null }
  assertWholeFile(bench, status.file_size, `server job ${id}`)
  return completedAt - sentAt
}

/** Spawn to exit of `yt-dlp args`; the output folder must not exist yet and gets exactly one file. */
async function timeBareYtDlp(bench: EngineBench, args: string[]): Promise<number> {
  const outputDir = outputFolderOf(args)
  mkdirSync(outputDir)
  const startedAt = performance.now()
  await execFileAsync('yt-dlp', args, { timeout: DOWNLOAD_TIMEOUT_MS })
  const elapsedMs = performance.now() - startedAt
  // yt-dlp leaves the emptied temp folder (.incomplete) behind; only visible files count.
  const files = readdirSync(outputDir).filter((name) => !name.startsWith('.'))
  if (files.length !== 1) throw new Error(`yt-dlp ${args.join(' ')} left ${files.length} files: ${files.join(', ')}`)
  assertWholeFile(bench, statSync(path.join(outputDir, files[0]!)).size, `yt-dlp ${args.join(' ')}`)
  return elapsedMs
}

/** The folder a bare command writes to: after `home:` in the server's arguments, or of `-o`. */
function outputFolderOf(args: string[]): string {
  const home = args.find((arg) => arg.startsWith('home:'))
  if (home !== undefined) return home.slice('home:'.length)
  return path.dirname(args[args.indexOf('-o') + 1]!)
}

/** A timing of a download that stopped short would flatter the side that produced it. */
function assertWholeFile(bench: EngineBench, size: number | null, what: string): void {
  if (size !== bench.media.largeVideo.size) throw new Error(`${what} produced ${size} bytes, expected ${bench.media.largeVideo.size}`)
}

function figures(times: { server: number[]; plain: number[]; serverArgs: number[] }, fileBytes: number): Figure[] {
  const server = median(times.server)
  const plain = median(times.plain)
  const serverArgs = median(times.serverArgs)
  const samples = (values: number[]) => `median of ${values.length} (${values.map(Math.round).join(', ')} ms)`
  const file = `${(fileBytes / 2 ** 20).toFixed(1)} MB /large.mp4 at full loopback speed`
  const ratio = (id: string, label: string, bare: number): Figure => ({
    id, label, value: server / bare, unit: '×', detail: `${Math.round(server)} ÷ ${Math.round(bare)} ms`,
  })
  return [
    { id: 'engine_e2e_server_ms', label: 'Large file through the server, POST to completed, median', value: server, unit: 'ms',
      detail: `${file}, ${samples(times.server)}; completion from the SSE status event` },
    { id: 'engine_e2e_bare_ms', label: 'Large file with bare yt-dlp, median', value: plain, unit: 'ms',
      detail: `yt-dlp --ignore-config --no-playlist -o <tmp>/%(id)s.%(ext)s -- URL, spawn to exit, ${samples(times.plain)}` },
    { id: 'engine_e2e_bare_server_args_ms', label: "Large file with bare yt-dlp and the server's arguments, median", value: serverArgs,
      unit: 'ms', detail: `buildYtDlpArgs() with the default config, spawn to exit, ${samples(times.serverArgs)}` },
    ratio('engine_e2e_ratio', 'Large file: server ÷ bare yt-dlp (medians)', plain),
    ratio('engine_e2e_server_args_ratio', "Large file: server ÷ bare yt-dlp with the server's arguments (medians)", serverArgs),
  ]
}
