// bench/wrk.ts reads wrk's figures from the JSON line lua/common.lua prints, not from wrk's text.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertNoWrkErrors, parseReport } from '../../bench/wrk.js'

const OUTPUT = `Running 10s test @ https://127.0.0.1:4000/api/v1/download
  1 threads and 32 connections
  Latency   Distribution
     50%    4.70ms
WRK_JSON {"requests":61203,"duration_us":10020000,"p50_us":4700,"p99_us":12500,"max_us":40100,"errors":{"connect":0,"read":0,"write":0,"status":2,"timeout":1}}
`

test('parseReport turns the WRK_JSON line into req/s and milliseconds', () => {
  const result = parseReport(OUTPUT)
  assert.equal(result.requests, 61203)
  assert.equal(Math.round(result.requestsPerSecond), 6108)
  assert.equal(result.p50Ms, 4.7)
  assert.equal(result.p99Ms, 12.5)
  assert.equal(result.maxMs, 40.1)
  assert.deepEqual(result.errors, { connect: 0, read: 0, write: 0, status: 2, timeout: 1 })
})

test('parseReport refuses output without the JSON line (wrk failed or the script was not appended)', () => {
  assert.throws(() => parseReport('Running 10s test\n  Latency 4ms\n'), /wrk printed no report/)
})

test('assertNoWrkErrors throws on any error or non-2xx answer', () => {
  const result = parseReport(OUTPUT)
  assert.throws(() => assertNoWrkErrors(result, 'submissions'), /"status":2/)
  assert.doesNotThrow(() => assertNoWrkErrors({ ...result, errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 } }, 'submissions'))
})
