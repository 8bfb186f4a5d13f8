// Turns figures into the markdown table of the run (and of docs/BENCHMARKS.md).
import type { MachineInfo } from './machine.js'
import type { Figure } from './measurement.js'
import { roundFigure } from './stats.js'

/** Adds figures computed from others: HTTP submissions/s as a share of the bare insert rate. */
export function withDerivedFigures(figures: readonly Figure[]): Figure[] {
  const byId = new Map(figures.map((f) => [f.id, f]))
  const http = byId.get('keepalive_server_rps')
  const sqlite = byId.get('sqlite_insert_rps')
  if (!http || !sqlite) return [...figures]
  return [
    ...figures,
    {
      id: 'submit_to_sqlite_ratio',
      label: 'HTTPS durable submissions/s ÷ bare SQLite inserts/s',
      value: http.value / sqlite.value,
      unit: '×',
      detail: `${roundFigure(http.value)} ÷ ${roundFigure(sqlite.value)}`,
    },
  ]
}

/** Whether a figure meets its target: true/false, or undefined when it has none. */
export function meetsTarget(figure: Figure): boolean | undefined {
  if (figure.target === undefined && figure.atLeast === undefined) return undefined
  return (figure.target === undefined || figure.value <= figure.target) && (figure.atLeast === undefined || figure.value >= figure.atLeast)
}

function targetText(figure: Figure): string {
  const bounds = [
    ...(figure.atLeast === undefined ? [] : [`≥ ${figure.atLeast} ${figure.unit}`]),
    ...(figure.target === undefined ? [] : [`≤ ${figure.target} ${figure.unit}`]),
  ]
  return bounds.length ? bounds.join(', ') : '—'
}

export function renderTable(machine: MachineInfo, figures: readonly Figure[]): string {
  const lines = [
    `Machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gb} GB, ${machine.os}, Node ${machine.node}, ` +
      `SQLite ${machine.sqlite}, yt-dlp ${machine.ytdlp}, ${machine.wrk}, temp on ${machine.temp_filesystem}, ` +
      `load average ${machine.load_average_1m.start} at start, ${machine.load_average_1m.end ?? '?'} at end`,
    '',
    '| Measurement | Result | SPEC §7 target | Met | Load (1 min) | How |',
    '| --- | ---: | --- | :---: | --- | --- |',
  ]
  for (const figure of figures) {
    const met = meetsTarget(figure)
    const load = figure.load?.map((l) => l.toFixed(1)).join(', ') ?? ''
    lines.push(`| ${figure.label} | ${roundFigure(figure.value)} ${figure.unit} | ${targetText(figure)} | ${met === undefined ? '' : met ? 'yes' : '**no**'} | ${load} | ${figure.detail ?? ''} |`)
  }
  return lines.join('\n')
}
