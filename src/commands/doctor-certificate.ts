// Doctor check of the certificate the server presents: the owner's tls.cert_file, or the server
// certificate generated under <data_dir>/tls/. Reports days left and the names it covers.
import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../core/config.js'
import { describeCertificate, validatePemPair, type CertificateSummary } from '../tls/certificate-info.js'
import { localCaPaths, RENEW_WHEN_DAYS_LEFT } from '../tls/local-ca.js'
import { check, CheckStatus, isoDay, type CheckResult } from './doctor-check.js'

/** Expiry and names of the served certificate; fails when it is expired, unreadable or mismatched. */
export function checkCertificate(tls: Config['tls'], dataDir: string, now = new Date()): CheckResult {
  if (!tls.enabled) {
    return check('certificate', CheckStatus.warn, 'tls.enabled is false: links and API keys cross the network unencrypted')
  }
  if ((tls.cert_file === null) !== (tls.key_file === null)) {
    return check('certificate', CheckStatus.fail, 'set both tls.cert_file and tls.key_file, or neither to use the automatic local CA')
  }
  const generated = tls.cert_file === null
  const certFile = tls.cert_file ?? localCaPaths(dataDir).serverCert
  if (generated && !existsSync(certFile)) {
    return check('certificate', CheckStatus.warn, `${certFile} not generated yet: run \`vds init\` or start the server`)
  }
  let summary: CertificateSummary
  try {
    const certPem = readFileSync(certFile, 'utf8')
    if (tls.key_file !== null) {
      validatePemPair(readFileSync(tls.key_file, 'utf8'), certPem, { key: `tls.key_file (${tls.key_file})`, cert: `tls.cert_file (${certFile})` })
    }
    summary = describeCertificate(certPem, now)
  } catch (err) {
    return check('certificate', CheckStatus.fail, `${certFile} is not usable: ${(err as Error).message}`)
  }
  return judgeExpiry(summary, certFile, generated)
}

function judgeExpiry(summary: CertificateSummary, certFile: string, generated: boolean): CheckResult {
  const names = [...summary.names.dns, ...summary.names.ips].join(', ') || 'none (no subjectAltName)'
  const facts = `${certFile} valid until ${isoDay(summary.valid_to)} (${summary.days_left} days left) for ${names}`
  const renewal = generated
    ? 'the server re-issues it at start-up and every 12 hours, so restart it'
    : 'check that its renewal (certbot, tailscale cert) runs'
  if (summary.days_left < 0) return check('certificate', CheckStatus.fail, `${facts}: it has expired; ${renewal}`)
  if (summary.days_left < RENEW_WHEN_DAYS_LEFT) return check('certificate', CheckStatus.warn, `${facts}: expires soon; ${renewal}`)
  return check('certificate', CheckStatus.ok, facts)
}
