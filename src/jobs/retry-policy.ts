// When to try a transiently failed download again. downloads.retry_delays_seconds lists the wait
// before each retry; its length is the number of retries. Each wait is spread by ±10% so jobs
// that failed together (the network went down) do not all hit the site again in the same second.

const JITTER = 0.1

/**
 * Milliseconds to wait before the next attempt, or undefined when the retries are used up.
 * `retriesSoFar` is the job's retry_count; `random` returns [0, 1) like Math.random.
 */
export function retryDelayMs(retriesSoFar: number, delaysSeconds: readonly number[], random: () => number = Math.random): number | undefined {
  const base = delaysSeconds[retriesSoFar]
  if (base === undefined) return undefined
  const factor = 1 + JITTER * (2 * random() - 1)
  return Math.max(0, Math.round(base * 1000 * factor))
}
