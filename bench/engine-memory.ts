// SPEC §7: ≤ 300 MB total with 2 downloads running, yt-dlp included. Two ~25 MB downloads from
// the throttled fixture route run at once (downloads.max_concurrent is 2 by default) while the RSS
// of the server and of every process under it is summed every 50 ms. Summed RSS counts pages
// shared between processes (the two python interpreters) twice, so it errs on the high side.
import { INCOMPLETE_DIR } from '../src/jobs/output-paths.js'
import { commandLine, descendantPids, residentMegabytesIfAlive } from './engine-processes.js'
import { DOWNLOAD_TIMEOUT_MS, withEngineBench } from './engine-server.js'
import type { Figure, Measurement } from './measurement.js'

const SAMPLE_INTERVAL_MS = 50
/** ~12 s per download of the large fixture: long enough for both to overlap for seconds. */
const THROTTLE_BYTES_PER_SECOND = 2 * 1024 * 1024
const DOWNLOADS = 2

interface MemorySample {
  at: number
  serverMb: number
  /** yt-dlp and anything it started */
  childrenMb: number
  childCount: number
  /** children whose command line holds a job's work folder */
  downloadsRunning: number
}

export const engineMemory: Measurement = {
  name: 'engine-memory',
  description: `peak RSS of the server and its children with ${DOWNLOADS} downloads at once`,
  run: (context) =>
    withEngineBench(context, 'vds-bench-memory-', async (bench) => {
      bench.media.setSlowRate(THROTTLE_BYTES_PER_SECOND)
      const samples: MemorySample[] = []
      const sampler = setInterval(() => samples.push(sampleMemory(bench.server.pid)), SAMPLE_INTERVAL_MS)
      try {
        const ids: string[] = []
        for (let n = 0; n < DOWNLOADS; n++) ids.push((await bench.submit(bench.media.url(`/slow.mp4?n=${n}`))).id)
        await Promise.all(ids.map((id) => bench.events.reached(id, 'completed', DOWNLOAD_TIMEOUT_MS)))
      } finally {
        clearInterval(sampler)
      }
      return figures(samples)
    }),
}

function sampleMemory(serverPid: number): MemorySample {
  const at = performance.now()
  let childrenMb = 0
  let childCount = 0
  let downloadsRunning = 0
  for (const pid of descendantPids(serverPid)) {
    const rssMb = residentMegabytesIfAlive(pid)
    if (rssMb === undefined) continue
    childrenMb += rssMb
    childCount++
    if (commandLine(pid)?.includes(`${INCOMPLETE_DIR}/`)) downloadsRunning++
  }
  return { at, serverMb: residentMegabytesIfAlive(serverPid) ?? 0, childrenMb, childCount, downloadsRunning }
}

function figures(samples: MemorySample[]): Figure[] {
  const together = samples.filter((sample) => sample.downloadsRunning >= DOWNLOADS)
  if (together.length === 0) throw new Error(`the ${DOWNLOADS} downloads never ran at the same time; ${samples.length} samples`)
  const overlapSeconds = (together.at(-1)!.at - together[0]!.at) / 1000
  const total = (sample: MemorySample) => sample.serverMb + sample.childrenMb
  const peak = samples.reduce((top, sample) => (total(sample) > total(top) ? sample : top))
  const detail =
    `VmRSS of the server + every descendant (/proc/<pid>/task/*/children), sampled every ${SAMPLE_INTERVAL_MS} ms: ` +
    `${samples.length} samples, ${DOWNLOADS} downloads of /slow.mp4 at ${THROTTLE_BYTES_PER_SECOND / 2 ** 20} MB/s each, ` +
    `both running for ${overlapSeconds.toFixed(1)} s`
  const mb = (id: string, label: string, value: number, target?: number): Figure => ({ id, label, value, unit: 'MB', target, detail })
  return [
    mb('engine_memory_peak_total_mb', `Peak RSS, server + ${DOWNLOADS} downloads (yt-dlp included)`, total(peak), 300),
    mb('engine_memory_peak_server_mb', 'Server alone at that peak', peak.serverMb),
    mb('engine_memory_peak_children_mb', `yt-dlp processes at that peak (${peak.childCount} processes)`, peak.childrenMb),
    mb('engine_memory_max_server_mb', 'Server alone, highest sample', Math.max(...samples.map((sample) => sample.serverMb))),
  ]
}
