import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { addressKey, createAuthFailureTracker } from '../../../src/http/plugins/auth-failures.js'
import { ADMIN_KEY, auth, buildTestApp } from '../../helpers/test-app.js'
import { assertErrorShape, send } from '../security/helpers.js'

const WRONG_KEY = 'vds_guess-0123456789abcdefghijklmnopqrstuvwxyz'

/** A logger that keeps its JSON lines in memory. */
function capturingLogger() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { log: pino({ level: 'info' }, stream), lines }
}

test('after 10 wrong keys an address gets 429 too_many_auth_failures; other addresses are unaffected', async (t) => {
  const { log, lines } = capturingLogger()
  const { app } = await buildTestApp(t, { log })
  const attacker = '198.51.100.7'
  const history = (headers: Record<string, string>, remoteAddress: string) =>
    send(app, { method: 'GET', url: '/api/v1/history', headers, remoteAddress })

  for (let i = 0; i < 10; i++) {
    const answer = await history({ 'x-api-key': `${WRONG_KEY}${i}` }, attacker)
    assert.equal(answer.statusCode, 401, `guess ${i + 1}`)
  }
  const refused = await history({ 'x-api-key': WRONG_KEY }, attacker)
  assert.equal(refused.statusCode, 429)
  assert.equal(assertErrorShape(refused), 'too_many_auth_failures')
  assert.ok(Number(refused.headers['retry-after']) >= 1)
  // While refused, keys from that address are not even checked: a right guess would be an oracle.
  assert.equal((await history(auth, attacker)).statusCode, 429)

  assert.equal((await history(auth, '203.0.113.9')).statusCode, 200, 'a right key elsewhere works')
  assert.equal((await history({}, '203.0.113.10')).statusCode, 401)

  const failures = lines.map((line) => JSON.parse(line) as { level: number; msg: string; remote_address?: string })
    .filter((entry) => entry.msg.startsWith('authentication failed'))
  assert.equal(failures.length, 10, 'each wrong key is logged')
  assert.ok(failures.every((entry) => entry.level === 40 && entry.remote_address === attacker), 'at warn, with the address')
  assert.ok(!lines.some((line) => line.includes(WRONG_KEY) || line.includes(ADMIN_KEY)), 'never the keys')
})

test('requests without a key are not counted as guesses', async (t) => {
  const { app } = await buildTestApp(t)
  for (let i = 0; i < 15; i++) {
    assert.equal((await send(app, { method: 'GET', url: '/api/v1/history', remoteAddress: '198.51.100.8' })).statusCode, 401)
  }
  assert.equal((await send(app, { method: 'GET', url: '/api/v1/history', headers: auth, remoteAddress: '198.51.100.8' })).statusCode, 200)
})

test('tracker: refusal doubles with each further failure up to the cap, then is forgotten', () => {
  let now = 0
  const tracker = createAuthFailureTracker({ threshold: 3, firstBlockMs: 1000, maxBlockMs: 4000, forgetAfterMs: 60_000, now: () => now })
  assert.deepEqual([1, 2].map(() => tracker.recordFailure('10.0.0.1')), [0, 0])
  assert.equal(tracker.secondsBlocked('10.0.0.1'), 0)
  assert.equal(tracker.recordFailure('10.0.0.1'), 1)
  assert.equal(tracker.secondsBlocked('10.0.0.1'), 1)
  assert.deepEqual([2, 4, 4].map(() => tracker.recordFailure('10.0.0.1')), [2, 4, 4], 'doubles, capped')
  now += 4000
  assert.equal(tracker.secondsBlocked('10.0.0.1'), 0, 'the refusal ends')
  now += 60_001
  assert.equal(tracker.recordFailure('10.0.0.1'), 0, 'a quiet spell forgets the count')
  tracker.recordFailure('10.0.0.1')
  tracker.recordSuccess('10.0.0.1')
  assert.equal(tracker.recordFailure('10.0.0.1'), 0, 'a right key starts afresh')
})

test('tracker: memory is bounded by maxAddresses', () => {
  const tracker = createAuthFailureTracker({ threshold: 1, maxAddresses: 100 })
  for (let i = 0; i < 1000; i++) tracker.recordFailure(`10.0.${i >> 8}.${i & 255}`)
  const blocked = Array.from({ length: 1000 }, (_, i) => tracker.secondsBlocked(`10.0.${i >> 8}.${i & 255}`) > 0)
  assert.equal(blocked.filter(Boolean).length, 100, 'only the 100 most recent are remembered')
  assert.ok(blocked.at(-1))
})

test('addresses: IPv4-mapped IPv6 is IPv4; IPv6 is counted per /64', () => {
  assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1')
  assert.equal(addressKey('192.0.2.1'), '192.0.2.1')
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64')
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
  assert.equal(addressKey('::1'), '0:0:0:0::/64')
  assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64')
  assert.equal(addressKey('not:an:address::x::'), 'not:an:address::x::', 'unparseable stays as it is')
})
