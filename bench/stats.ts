// Percentiles of latency samples, the way wrk reports them (nearest rank).

/** The value below which `percent` % of the samples lie; samples need not be sorted. */
export function percentile(samples: readonly number[], percent: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((percent / 100) * sorted.length)
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!
}

export const median = (samples: readonly number[]) => percentile(samples, 50)

/** Rounds for the table: three significant digits are more than these measurements can support. */
export function roundFigure(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))))
  return Number(value.toFixed(digits))
}
