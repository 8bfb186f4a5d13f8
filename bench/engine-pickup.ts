// SPEC §7: a submission's yt-dlp process starts within 100 ms when a slot is free.
// Sequential submissions of the small fixture video, each waited for until completed, so a slot is
// always free. Pickup runs from the 201 arriving at the client to the first /proc poll (every 1 ms)
// that shows a child of the server whose command line holds the job's work folder. /proc rather
// than the server log: the worker logs "download started" before it creates the work folder and
// spawns, and pino's `time` has whole milliseconds on another process's clock.
import { INCOMPLETE_DIR } from '../src/jobs/output-paths.js'
import { watchSpawns, type SpawnWatcher } from './engine-processes.js'
import { DOWNLOAD_TIMEOUT_MS, withEngineBench, type EngineBench } from './engine-server.js'
import type { Figure, Measurement } from './measurement.js'
import { median, percentile } from './stats.js'

const SUBMISSIONS = 20
const POLL_INTERVAL_MS = 1
const SPAWN_TIMEOUT_MS = 5_000

export const enginePickup: Measurement = {
  name: 'engine-pickup',
  description: `${SUBMISSIONS} sequential submissions with a free slot: 201 to yt-dlp running`,
  run: (context) =>
    withEngineBench(context, 'vds-bench-pickup-', async (bench) => {
      const watcher = watchSpawns(bench.server.pid, `${INCOMPLETE_DIR}/`, POLL_INTERVAL_MS)
      try {
        // The first job also pays for the TLS handshake and the server's first-download lookups.
        const warmUp = await timeOneJob(bench, 0, watcher)
        const pickupsMs: number[] = []
        const answersMs: number[] = []
        for (let i = 1; i <= SUBMISSIONS; i++) {
          const job = await timeOneJob(bench, i, watcher)
          pickupsMs.push(job.pickupMs)
          answersMs.push(job.answerMs)
        }
        context.log(`pickups: ${pickupsMs.map((ms) => ms.toFixed(1)).join(', ')} ms`)
        return figures(pickupsMs, answersMs, warmUp.pickupMs)
      } finally {
        watcher.stop()
      }
    }),
}

async function timeOneJob(bench: EngineBench, n: number, watcher: SpawnWatcher) {
  const { id, sentAt, answeredAt } = await bench.submit(bench.media.url(`/video.mp4?n=${n}`))
  const spawnedAt = await watcher.waitFor(`${INCOMPLETE_DIR}/${id}`, SPAWN_TIMEOUT_MS)
  await bench.events.reached(id, 'completed', DOWNLOAD_TIMEOUT_MS)
  // Negative when the process was already running before this process had read the whole answer.
  return { pickupMs: spawnedAt - answeredAt, answerMs: answeredAt - sentAt }
}

function figures(pickupsMs: number[], answersMs: number[], warmUpPickupMs: number): Figure[] {
  const detail =
    `${pickupsMs.length} sequential jobs of /video.mp4, each completed before the next; from the 201 to the first ` +
    `/proc/<server>/task/*/children poll (every ${POLL_INTERVAL_MS} ms) showing yt-dlp with the job's work folder; ` +
    `a first, warm-up job not counted (its pickup ${warmUpPickupMs.toFixed(1)} ms)`
  const answerDetail = `${answersMs.length} POSTs on one keep-alive HTTPS connection, from the request to the whole 201 read`
  const ms = (id: string, label: string, value: number, target?: number, how = detail): Figure => ({ id, label, value, unit: 'ms', target, detail: how })
  return [
    ms('engine_pickup_median_ms', 'Pickup, 201 to yt-dlp running, median', median(pickupsMs)),
    ms('engine_pickup_p95_ms', 'Pickup, 201 to yt-dlp running, p95', percentile(pickupsMs, 95), 100),
    ms('engine_pickup_max_ms', 'Pickup, 201 to yt-dlp running, max', Math.max(...pickupsMs), 100),
    ms('engine_submit_median_ms', 'Submission with the engine running, median (201 latency)', median(answersMs), undefined, answerDetail),
    ms('engine_submit_max_ms', 'Submission with the engine running, max (201 latency)', Math.max(...answersMs), undefined, answerDetail),
  ]
}
