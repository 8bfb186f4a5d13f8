// The browser's side of Web Push, written from the RFCs so the test checks the server independently
// of the library it uses: a subscription key pair, the VAPID JWT check (RFC 8292) and decryption of
// an aes128gcm message (RFC 8188 + RFC 8291).
import assert from 'node:assert/strict'
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto'

export interface BrowserSubscription {
  ecdh: ECDH
  /** uncompressed public point, base64url (PushSubscription keys.p256dh) */
  p256dh: string
  /** 16 random bytes, base64url (keys.auth) */
  auth: string
}

export function makeBrowserSubscription(): BrowserSubscription {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') }
}

export interface VapidClaims {
  aud: string
  exp: number
  sub: string
}

/** Checks `Authorization: vapid t=<jwt>, k=<key>`: ES256 signature by k, and returns the claims. */
export function verifyVapid(authorization: string | undefined, expectedPublicKey: string): VapidClaims {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '')
  assert.ok(match, `Authorization is not a VAPID header: ${authorization}`)
  const [, jwt, key] = match as unknown as [string, string, string]
  assert.equal(key, expectedPublicKey, 'k= is the server VAPID public key')
  const [header, claims, signature] = jwt.split('.') as [string, string, string]
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { typ: 'JWT', alg: 'ES256' })
  const point = Buffer.from(key, 'base64url')
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  })
  const valid = verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
  assert.ok(valid, 'the VAPID JWT signature verifies with the public key')
  return JSON.parse(Buffer.from(claims, 'base64url').toString()) as VapidClaims
}

/** Decrypts one aes128gcm message body with the subscription's private key and auth secret. */
export function decryptPushMessage(body: Buffer, subscription: BrowserSubscription): string {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body[20]!
  const serverPublicKey = body.subarray(21, 21 + idLength)
  const ciphertext = body.subarray(21 + idLength)
  assert.equal(idLength, 65, 'keyid is the server ephemeral P-256 point')
  assert.ok(ciphertext.length <= recordSize, 'one record')
  const sharedSecret = subscription.ecdh.computeSecret(serverPublicKey)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), subscription.ecdh.getPublicKey(), serverPublicKey])
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, Buffer.from(subscription.auth, 'base64url'), keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
  // The last record ends with the delimiter 0x02, then zero padding.
  const end = padded.lastIndexOf(2)
  assert.ok(end >= 0 && padded.subarray(end + 1).every((byte) => byte === 0), 'last-record padding')
  return padded.subarray(0, end).toString('utf8')
}
