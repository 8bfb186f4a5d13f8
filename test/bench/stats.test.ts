// The statistics every benchmark figure goes through: nearest-rank percentiles and rounding.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { median, percentile, roundFigure } from '../../bench/stats.js'

test('percentile is the nearest rank of the sorted samples, whatever their order', () => {
  const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10]
  assert.equal(percentile(samples, 50), 5)
  assert.equal(percentile(samples, 90), 9)
  assert.equal(percentile(samples, 99), 10)
  assert.equal(percentile(samples, 0), 1)
  assert.equal(median([3, 1, 2]), 2)
  assert.deepEqual(samples, [9, 1, 8, 2, 7, 3, 6, 4, 5, 10], 'the input is not sorted in place')
})

test('percentile of nothing is an error, not a number', () => {
  assert.throws(() => percentile([], 50), /no samples/)
})

test('roundFigure keeps three significant digits', () => {
  assert.equal(roundFigure(1234.5), 1235)
  assert.equal(roundFigure(12.345), 12.3)
  assert.equal(roundFigure(0.012345), 0.0123)
  assert.equal(roundFigure(0), 0)
})
