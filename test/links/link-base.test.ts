// Where links point: public_url, else the request's Host when the certificate lists it, else
// relative; notifications always absolute (public_url, else the first certificate name and port).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLinkBases } from '../../src/links/link-base.js'
import { certificateWith } from '../helpers/certificates.js'
import { tempDir } from '../helpers/test-app.js'

test('absolute for a name or address the certificate lists, relative for anything else', (t) => {
  const pem = certificateWith(tempDir(t), 'DNS:nas.example.com,DNS:*.home.arpa,DNS:localhost,IP:192.168.1.20,IP:::1')
  const bases = createLinkBases({ publicUrl: null, tlsEnabled: true, port: 8443, certificatePem: () => pem })
  assert.equal(bases.forRequest('nas.example.com:8443'), 'https://nas.example.com:8443')
  assert.equal(bases.forRequest('NAS.Example.com.'), 'https://NAS.Example.com.')
  assert.equal(bases.forRequest('box.home.arpa:8443'), 'https://box.home.arpa:8443', 'a wildcard covers one label')
  assert.equal(bases.forRequest('a.b.home.arpa'), '', 'but not two')
  assert.equal(bases.forRequest('192.168.1.20:8443'), 'https://192.168.1.20:8443')
  assert.equal(bases.forRequest('[::1]:8443'), 'https://[::1]:8443')
  for (const other of ['evil.example:8443', '10.0.0.9', undefined, '', 'nas.example.com/evil', 'nas.example.com@evil', 'a b']) {
    assert.equal(bases.forRequest(other), '', String(other))
  }
  assert.equal(bases.forNotification(), 'https://nas.example.com:8443', 'the first name a phone can use')
})

test('server.public_url wins everywhere; without TLS every API link is relative', () => {
  const withPublic = createLinkBases({ publicUrl: 'https://videos.example.org/', tlsEnabled: true, port: 8443, certificatePem: () => null })
  assert.equal(withPublic.forRequest('10.0.0.2:8443'), 'https://videos.example.org')
  assert.equal(withPublic.forNotification(), 'https://videos.example.org')
  const plain = createLinkBases({ publicUrl: null, tlsEnabled: false, port: 8080, certificatePem: () => null, machineNames: () => ({ dns: ['localhost', 'pi'], ips: ['127.0.0.1', '192.168.1.7'] }) })
  assert.equal(plain.forRequest('pi:8080'), '')
  assert.equal(plain.forNotification(), 'http://pi:8080')
  const onlyAddresses = createLinkBases({ publicUrl: null, tlsEnabled: false, port: 8080, certificatePem: () => null, machineNames: () => ({ dns: ['localhost'], ips: ['127.0.0.1', 'fd00::7'] }) })
  assert.equal(onlyAddresses.forNotification(), 'http://[fd00::7]:8080')
})

test('a renewed certificate is read again', (t) => {
  const dir = tempDir(t)
  let pem = certificateWith(dir, 'DNS:old.example.com')
  const bases = createLinkBases({ publicUrl: null, tlsEnabled: true, port: 8443, certificatePem: () => pem })
  assert.equal(bases.forRequest('old.example.com'), 'https://old.example.com')
  pem = certificateWith(dir, 'DNS:new.example.com')
  assert.equal(bases.forRequest('old.example.com'), '')
  assert.equal(bases.forRequest('new.example.com'), 'https://new.example.com')
})
