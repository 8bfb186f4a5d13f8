// The shapes every benchmark file shares. A measurement is one file exporting a `Measurement`;
// bench/run.ts runs the list in order and reports every figure in one table.

/** One number a measurement reports. */
export interface Figure {
  /** stable key in results/latest.json, e.g. "keepalive_server_p99_ms" */
  id: string
  /** what it is, as the table shows it */
  label: string
  value: number
  unit: string
  /** the SPEC §7 upper bound in the same unit, when there is one */
  target?: number
  /** the SPEC §7 lower bound (ratios such as "≥ 8× the seed stack"), when there is one */
  atLeast?: number
  /** 1-minute load average when each sample behind the figure was taken: on a shared machine it explains the spread */
  load?: number[]
  /** how it was measured: connections, duration, sample size */
  detail?: string
}

/** What the runner gives each measurement. */
export interface BenchContext {
  /** a fresh directory under the OS temp dir, removed when the whole run ends */
  tempDir(prefix: string): string
  /** a progress line on stderr (stdout carries the table) */
  log(message: string): void
}

/** One benchmark: a name to select it with (`npm run bench -- <name>`) and what it runs. */
export interface Measurement {
  name: string
  /** one line for the progress output */
  description: string
  run(context: BenchContext): Promise<Figure[]>
}
