// Turns figures into the markdown table of the run (and of docs/BENCHMARKS.md).
import type { MachineInfo } from './machine.js'
import type { Figure } from './measurement.js'
import { roundFigure } from './stats.js'

/** Adds figures computed from others: HTTP submissions/s as a share of the bare insert rate. */
export function withDerivedFigures(figures: readonly Figure[]): Figure[] {
  const byId = new Map(figures.map((f) => [f.id, f]))
  const http = byId.get('submit_keepalive_rps')
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

export function renderTable(machine: MachineInfo, figures: readonly Figure[]): string {
  const lines = [
    `Machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gb} GB, ${machine.os}, Node ${machine.node}, ` +
      `SQLite ${machine.sqlite}, yt-dlp ${machine.ytdlp}, ${machine.wrk}, temp on ${machine.temp_filesystem}, ` +
      `load average ${machine.load_average_1m.start} at start, ${machine.load_average_1m.end ?? '?'} at end`,
    '',
    '| Measurement | Result | SPEC §7 target | Met | How |',
    '| --- | ---: | --- | :---: | --- |',
  ]
  for (const figure of figures) {
    const target = figure.target === undefined ? '—' : `≤ ${figure.target} ${figure.unit}`
    const met = figure.target === undefined ? '' : figure.value <= figure.target ? 'yes' : '**no**'
    lines.push(`| ${figure.label} | ${roundFigure(figure.value)} ${figure.unit} | ${target} | ${met} | ${figure.detail ?? ''} |`)
  }
  return lines.join('\n')
}
