// `npm run bench [-- name ...]`: runs the measurements against real server processes (dist/, HTTPS,
// temp data folders), prints one markdown table and writes bench/results/latest.json.
// To add a measurement, write a file exporting a `Measurement` and append it to MEASUREMENTS.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ensureFreshBuild, killLeftoverServers } from '../test/helpers/server-process.js'
import { engineEndToEnd } from './engine-end-to-end.js'
import { engineMemory } from './engine-memory.js'
import { enginePickup } from './engine-pickup.js'
import { idleRss } from './idle-rss.js'
import { describeMachine, loadAverage1m } from './machine.js'
import type { BenchContext, Figure, Measurement } from './measurement.js'
import { millionRows } from './million-rows.js'
import { sqliteInsert } from './sqlite-insert.js'
import { startup } from './startup.js'
import { submitNewConnection } from './submit-new-connection.js'
import { renderTable, withDerivedFigures } from './report.js'
import { sideBySide } from './side-by-side.js'
import { completionLatency } from './completion-latency.js'
import { mediaTimes } from './media-times.js'
import { toolsTimes } from './tools-times.js'

const MEASUREMENTS: readonly Measurement[] = [
  sqliteInsert,
  sideBySide,
  submitNewConnection,
  idleRss,
  startup,
  millionRows,
  enginePickup,
  engineEndToEnd,
  engineMemory,
  completionLatency,
  mediaTimes,
  toolsTimes,
]

const RESULTS_FILE = new URL('./results/latest.json', import.meta.url)

async function main(): Promise<number> {
  const { positionals: names } = parseArgs({ allowPositionals: true })
  const unknown = names.filter((name) => !MEASUREMENTS.some((m) => m.name === name))
  if (unknown.length) {
    process.stderr.write(`unknown measurement ${unknown.join(', ')}; choose from: ${MEASUREMENTS.map((m) => m.name).join(', ')}\n`)
    return 2
  }
  const selected = names.length ? MEASUREMENTS.filter((m) => names.includes(m.name)) : MEASUREMENTS
  ensureFreshBuild()
  const machine = describeMachine()
  const figures: Figure[] = []
  const failures: { measurement: string; error: string }[] = []
  const tempDirs: string[] = []
  const context: BenchContext = {
    tempDir: (prefix) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
      tempDirs.push(dir)
      return dir
    },
    log: (message) => process.stderr.write(`  ${message}\n`),
  }
  try {
    for (const measurement of selected) {
      process.stderr.write(`${measurement.name}: ${measurement.description}\n`)
      try {
        figures.push(...(await measurement.run(context)))
      } catch (err) {
        // One broken measurement should not cost the figures of the others.
        failures.push({ measurement: measurement.name, error: (err as Error).message })
        process.stderr.write(`  FAILED: ${(err as Error).stack}\n`)
      } finally {
        await killLeftoverServers()
      }
    }
  } finally {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  }
  machine.load_average_1m.end = loadAverage1m()
  const reported = withDerivedFigures(figures)
  process.stdout.write(`\n${renderTable(machine, reported)}\n`)
  mkdirSync(new URL('./', RESULTS_FILE), { recursive: true })
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ measured_at: new Date().toISOString(), machine, figures: reported, failures }, null, 2)}\n`)
  process.stderr.write(`results written to bench/results/latest.json\n`)
  return failures.length ? 1 : 0
}

// exit(), not exitCode: a measurement that failed half-way may leave a fixture server or timer open,
// and the run must still end.
process.exit(await main())
