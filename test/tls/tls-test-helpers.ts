// Shared helpers for the TLS tests: temp dirs removed after each test, a pino logger whose lines
// can be inspected, and openssl for an independent view of the certificates.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { pino } from 'pino'
import type { Config } from '../../src/core/config.js'
import { tempDir } from '../helpers/temp-dir.js'
import { waitFor as waitForValue } from '../helpers/wait-for.js'

/** A fresh directory under the OS temp dir, removed when the test ends. */
export function makeTempDir(t: TestContext, prefix = 'vds-tls-'): string {
  return tempDir(t, prefix)
}

/** A real pino logger at debug level that keeps its lines for assertions instead of printing them. */
export function makeCapturingLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = []
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  const messages = (minLevel = 0) => lines.filter((l) => l.level >= minLevel).map((l) => l.msg)
  return { log, lines, messages, WARN: 40 }
}

/** `tls` config section with the defaults plus overrides. */
export function tlsConfig(overrides: Partial<Config['tls']> = {}): Config['tls'] {
  return { enabled: true, cert_file: null, key_file: null, hostnames: [], ...overrides }
}

/** `openssl x509 -text` of the first certificate in a PEM string. */
export function opensslText(certPem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: certPem, encoding: 'utf8' })
}

/** The first PEM certificate of a chain. */
export function firstPem(chain: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(chain)
  if (!match) throw new Error('no certificate in PEM chain')
  return match[0]
}

/** A self-signed ECDSA P-256 (or RSA 2048) pair made by openssl, as an owner's Let's Encrypt files stand-in. */
export function makeOpensslPair(
  dir: string,
  name: string,
  algorithm: 'ec' | 'rsa' = 'ec',
): { keyFile: string; certFile: string; key: string; cert: string } {
  const keyOptions = algorithm === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048']
  const keyFile = path.join(dir, `${name}.key`)
  const certFile = path.join(dir, `${name}.crt`)
  execFileSync(
    'openssl',
    ['req', '-x509', ...keyOptions, '-nodes', '-days', '30',
      '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  )
  return { keyFile, certFile, key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') }
}

/** Resolves when `check` returns a value other than undefined; rejects after `timeoutMs`. */
export function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return waitForValue(what, check, timeoutMs, 20)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
