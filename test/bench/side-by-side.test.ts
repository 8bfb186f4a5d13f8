// The side-by-side figures: medians per server and load, and the SPEC §7 ratios with their bounds.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Figure } from '../../bench/measurement.js'
import { meetsTarget } from '../../bench/report.js'
import { sideBySideFigures, type Sample } from '../../bench/side-by-side.js'
import type { WrkResult } from '../../bench/wrk.js'

const result = (requestsPerSecond: number, p99Ms: number, status = 0): WrkResult => ({
  requests: requestsPerSecond * 10, requestsPerSecond, p50Ms: p99Ms / 4, p99Ms, maxMs: p99Ms * 2,
  errors: { connect: 0, read: 0, write: 0, status, timeout: 0 },
})
const sample = (target: Sample['target'], load: Sample['load'], rps: number, p99: number, status = 0): Sample => ({
  target, load, result: result(rps, p99, status), loadAverage: 1.5,
})
const byId = (figures: Figure[], id: string) => {
  const figure = figures.find((f) => f.id === id)
  assert.ok(figure, `figure ${id}`)
  return figure
}

test('figures are medians of the repetitions, and the ratios compare the medians', () => {
  const figures = sideBySideFigures([
    sample('server', 'keepalive', 5000, 9), sample('server', 'keepalive', 9000, 30), sample('server', 'keepalive', 6000, 8),
    sample('seed', 'keepalive', 900, 900), sample('seed', 'keepalive', 500, 950), sample('seed', 'keepalive', 700, 990),
    sample('floor', 'keepalive', 7000, 5),
    sample('server', 'new_tls', 300, 18, 1), sample('seed', 'new_tls', 250, 400),
  ])
  assert.equal(byId(figures, 'keepalive_server_rps').value, 6000)
  assert.equal(byId(figures, 'keepalive_server_p99_ms').value, 9)
  assert.equal(meetsTarget(byId(figures, 'keepalive_server_p99_ms')), true)
  const seedRatio = byId(figures, 'keepalive_server_to_seed_ratio')
  assert.equal(seedRatio.value, 6000 / 700)
  assert.equal(meetsTarget(seedRatio), true, '8.57× meets ≥ 8×')
  const floorRatio = byId(figures, 'keepalive_server_to_floor_ratio')
  assert.equal(meetsTarget(floorRatio), false, '6000 is below the floor’s 7000')
  assert.equal(meetsTarget(byId(figures, 'new_tls_server_to_seed_ratio')), false, '1.2× is below 1.5×')
  assert.equal(byId(figures, 'new_tls_server_errors').value, 1)
  assert.equal(meetsTarget(byId(figures, 'new_tls_server_errors')), false, 'one non-2xx answer fails the run')
  assert.deepEqual(byId(figures, 'keepalive_seed_rps').load, [1.5, 1.5, 1.5])
})

test('no ratio is made up for a peer that was not measured', () => {
  const figures = sideBySideFigures([sample('server', 'keepalive', 5000, 9)])
  assert.equal(figures.some((f) => f.id.endsWith('_ratio')), false)
  assert.equal(meetsTarget({ id: 'x', label: 'x', value: 1, unit: '' }), undefined)
})
