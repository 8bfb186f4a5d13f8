// Real self-signed certificates for tests that need one with given names (made by openssl).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** A real self-signed certificate with these SAN entries (e.g. `DNS:nas.example.com,IP:::1`), as PEM. */
export function certificateWith(dir: string, san: string): string {
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=vds test', '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' })
  return readFileSync(certFile, 'utf8')
}
