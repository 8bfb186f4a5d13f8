// Creates the local CA and server certificates. This module pulls in @peculiar/x509 and the
// reflect-metadata polyfill its dependency injection needs (~20 MB of RSS), so nothing imports it
// statically: local-ca.ts runs it in a short-lived child process (issuer-process.ts), or loads it
// with import() as a fallback, and only when something must actually be generated.
import 'reflect-metadata'
import { randomBytes, webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import type { ServerNames } from './server-names.js'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

// Set explicitly so signing never depends on which global `crypto` a Node version provides.
x509.cryptoProvider.set(webcrypto)

const DAY_MS = 24 * 60 * 60 * 1000

/** The local CA: valid 10 years, kept across server certificate renewals. */
export const CA_VALIDITY_DAYS = 3650

/**
 * Apple (and browsers) refuse publicly trusted TLS certificates valid for more than 398 days and
 * locally trusted ones above 825 days. 397 days satisfies both with a day to spare, costs nothing
 * here because renewal is automatic, and means the certificate would still be accepted if Apple
 * ever applied the public limit to user-installed roots as well.
 */
export const SERVER_VALIDITY_DAYS = 397

/** A tolerance for phones whose clock runs a little behind the server's. */
const BACKDATE_MS = 60 * 60 * 1000

// ECDSA P-256 with SHA-256: accepted by every iOS version and fast on a Raspberry Pi.
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string
  key: string
}

/** What to issue: a server certificate, signed by `ca`, or by a new CA when `ca` is null. */
export interface IssueRequest {
  ca: PemPair | null
  /** names the new CA after this machine, so a phone trusting several servers can tell them apart */
  hostname: string
  names: ServerNames
  /** the issuing time, as epoch milliseconds so it crosses the process boundary unchanged */
  nowMs: number
}

/** The issued certificates; `ca` is the request's CA or the newly generated one. */
export interface IssueResult {
  ca: PemPair
  server: PemPair
  caIsNew: boolean
}

/** Generates what the request asks for. */
export async function issueCertificates(request: IssueRequest): Promise<IssueResult> {
  const now = new Date(request.nowMs)
  const ca = request.ca ?? (await generateLocalCa(request.hostname, now))
  const server = await issueServerCertificate(ca, request.names, now)
  return { ca, server, caIsNew: request.ca === null }
}

/** Creates a self-signed CA fit for iOS "full trust": CA:TRUE (critical), keyCertSign + cRLSign. */
export async function generateLocalCa(hostname: string, now = new Date()): Promise<PemPair> {
  const keys = await generateKeyPair()
  const notBefore = new Date(now.getTime() - BACKDATE_MS)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: distinguishedName(`Video Download Server local CA (${hostname})`),
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      // pathLength 0: this CA signs server certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { cert: `${cert.toString('pem')}\n`, key: await exportPrivateKeyPem(keys.privateKey) }
}

/**
 * Issues a server certificate signed by the CA: CA:FALSE, digitalSignature (no keyEncipherment:
 * that applies to RSA key transport only), EKU serverAuth, and every name in the SAN, because iOS
 * ignores the common name. Never outlives the CA.
 */
export async function issueServerCertificate(
  ca: PemPair,
  names: ServerNames,
  now = new Date(),
): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.cert)
  const caKey = await importPrivateKeyPem(ca.key)
  const keys = await generateKeyPair()
  const notBefore = new Date(now.getTime() - BACKDATE_MS)
  const notAfter = new Date(Math.min(notBefore.getTime() + SERVER_VALIDITY_DAYS * DAY_MS, caCert.notAfter.getTime()))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: distinguishedName(names.dns.find((name) => name !== 'localhost') ?? 'localhost'),
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  })
  return { cert: `${cert.toString('pem')}\n`, key: await exportPrivateKeyPem(keys.privateKey) }
}

/**
 * 16 random bytes as hex, top bit cleared so the DER INTEGER is positive and second bit set so it
 * keeps all 16 bytes (serials must be positive and, per the CA/Browser Forum, carry ≥ 64 random bits).
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40
  return bytes.toString('hex')
}

function distinguishedName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }, { O: ['Video Download Server'] }]
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`
}

async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem)
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign'])
}
