// Reading certificates with node:crypto only: cheap enough for every start-up, the renewal check
// and `vds doctor`, without loading the X.509 generator.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { canonicalIp, type ServerNames } from './server-names.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** What the server hands to `https.createServer` / `setSecureContext`. */
export interface TlsMaterial {
  /** PEM private key of the server certificate */
  key: string
  /** PEM chain: the server certificate first (followed by the local CA when it is generated) */
  cert: string
  /** PEM of the local CA for /ca.crt and /ca.mobileconfig; null when the owner's files are used */
  caCert: string | null
}

/** A summary of one certificate, for logs and `vds doctor`. */
export interface CertificateSummary {
  subject: string
  issuer: string
  /** the SAN entries: the names a client may use to reach the server */
  names: ServerNames
  valid_from: Date
  valid_to: Date
  /** whole days until expiry; negative once expired */
  days_left: number
  fingerprint_sha256: string
}

/** Summarizes the first certificate of a PEM chain. Throws when it is not a certificate. */
export function describeCertificate(certPem: string, now = new Date()): CertificateSummary {
  const cert = new X509Certificate(certPem)
  return {
    subject: cert.subject.replaceAll('\n', ', '),
    issuer: cert.issuer.replaceAll('\n', ', '),
    names: subjectAltNames(cert),
    valid_from: new Date(cert.validFrom),
    valid_to: new Date(cert.validTo),
    days_left: Math.floor(millisecondsLeft(cert, now) / DAY_MS),
    fingerprint_sha256: cert.fingerprint256,
  }
}

/** The DNS names and IP addresses (canonical form) of a certificate's subjectAltName. */
export function subjectAltNames(cert: X509Certificate): ServerNames {
  const names: ServerNames = { dns: [], ips: [] }
  // Node renders the SAN as "DNS:a, IP Address:0:0:0:0:0:0:0:1, ..."; the names we issue never
  // contain the commas or quotes that would make Node escape an entry.
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) names.dns.push(entry.slice('DNS:'.length).toLowerCase())
    else if (entry.startsWith('IP Address:')) names.ips.push(canonicalIp(entry.slice('IP Address:'.length)))
  }
  names.dns.sort()
  names.ips.sort()
  return names
}

/** Milliseconds until the certificate expires (negative once expired). */
export function millisecondsLeft(cert: X509Certificate, now = new Date()): number {
  return new Date(cert.validTo).getTime() - now.getTime()
}

/**
 * Checks that a key and a certificate chain form a usable pair and returns the parsed leaf.
 * `labels` name the sources in the error, e.g. the config keys and file paths.
 */
export function validatePemPair(
  keyPem: string,
  certPem: string,
  labels: { key: string; cert: string } = { key: 'key', cert: 'certificate' },
): X509Certificate {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch {
    throw new Error(`${labels.cert} does not contain a PEM certificate ("-----BEGIN CERTIFICATE-----")`)
  }
  let key
  try {
    key = createPrivateKey(keyPem)
  } catch {
    throw new Error(
      `${labels.key} is not an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----" or ` +
        '"-----BEGIN EC/RSA PRIVATE KEY-----"); remove a passphrase with `openssl pkey -in KEY -out KEY.new`',
    )
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(
      `${labels.key} does not belong to the certificate in ${labels.cert}: point both at the same pair ` +
        '(for Let\'s Encrypt: fullchain.pem and privkey.pem from the same live/ folder)',
    )
  }
  return cert
}
