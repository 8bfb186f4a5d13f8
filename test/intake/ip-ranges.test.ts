// Which addresses count as public for allowed_domains "*": tables from the IANA special-purpose
// registries, IPv4 hidden in IPv6, and forms that are not addresses at all.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isPublicAddress, nonPublicKind } from '../../src/intake/ip-ranges.js'

describe('isPublicAddress', () => {
  const cases: ReadonlyArray<readonly [address: string, isPublic: boolean]> = [
    ['8.8.8.8', true],
    ['93.184.216.34', true],
    ['1.1.1.1', true],
    ['172.15.255.255', true],
    ['172.32.0.0', true],
    ['100.63.255.255', true],
    ['100.128.0.0', true],
    ['2606:4700::6810:84e5', true],
    ['[2a03:2880:f12f:83:face:b00c::25de]', true],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::808:808', true], // NAT64 of 8.8.8.8, how IPv6-only networks reach IPv4 sites
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['10.1.2.3', false],
    ['100.64.0.1', false],
    ['100.127.255.255', false],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['169.254.169.254', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.0.0.8', false],
    ['192.0.2.1', false],
    ['192.168.1.1', false],
    ['198.18.0.1', false],
    ['198.51.100.7', false],
    ['203.0.113.9', false],
    ['224.0.0.251', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    ['::', false],
    ['::1', false],
    ['[::1]', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['fec0::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:192.168.0.1', false],
    ['::ffff:0:0', false],
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['64:ff9b::7f00:1', false],
    ['64:ff9b:1::1', false],
    ['::127.0.0.1', false], // deprecated IPv4-compatible form
    ['2001:db8::1', false],
    ['2001::1', false], // Teredo
    ['2002:c0a8:101::1', false], // 6to4 of 192.168.1.1
    ['3fff::1', false],
    ['100::1', false],
    ['localhost', false],
    ['', false],
    ['not an address', false],
  ]
  for (const [address, isPublic] of cases) {
    it(`${address} → ${isPublic ? 'public' : 'not public'}`, () => assert.equal(isPublicAddress(address), isPublic))
  }
})

// The egress proxy's refusals name the kind ("a loopback address"): the same tables, labelled.
describe('nonPublicKind', () => {
  const cases: ReadonlyArray<readonly [address: string, kind: ReturnType<typeof nonPublicKind>]> = [
    ['8.8.8.8', undefined],
    ['2606:4700::6810:84e5', undefined],
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.2', 'loopback'],
    ['64:ff9b::7f00:2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['192.168.0.1', 'private'],
    ['fd00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'reserved'],
    ['localhost', 'not an IP'],
  ]
  for (const [address, kind] of cases) {
    it(`${address} → ${kind ?? 'public'}`, () => assert.equal(nonPublicKind(address), kind))
  }
})
