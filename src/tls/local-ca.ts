// The automatic local CA used when the owner configures no certificate files. The CA is made once
// and kept (a phone trusts it once, by installing /ca.mobileconfig); the server certificate it signs
// is re-issued whenever it nears expiry or the machine's names and addresses change.
//
// Start-up cost matters (≤ 1 s, RSS ≤ 60 MB on a Raspberry Pi), so the common path, reusing the files
// in <dataDir>/tls/, only parses them with node:crypto. Generating runs in a short-lived child process
// (issuer-process.ts) so the X.509 libraries never stay resident in the server.
import { fork } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { millisecondsLeft, subjectAltNames, validatePemPair, type TlsMaterial } from './certificate-info.js'
import type { IssueRequest, IssueResult, PemPair } from './certificate-issuer.js'
import type { IssuerReply } from './issuer-process.js'
import { collectServerNames, sameServerNames, type ServerNames } from './server-names.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** Certificates are replaced when fewer days than this remain: time enough to notice a failure. */
export const RENEW_WHEN_DAYS_LEFT = 30

/** A generous bound for a slow SD card; generating takes well under a second on a Pi 4. */
const ISSUER_TIMEOUT_MS = 60_000

/** The subset of a pino logger this module writes to. */
export type TlsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>

/** Where the local CA and server certificate live. */
export function localCaPaths(dataDir: string) {
  const dir = path.join(dataDir, 'tls')
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
  }
}

/** Options of {@link ensureLocalCertificates}. */
export interface EnsureLocalCertificatesOptions {
  dataDir: string
  /** `tls.hostnames`: extra DNS names and IP literals for the server certificate */
  hostnames: readonly string[]
  log: TlsLogger
  /** the current time; tests move it forward to exercise renewal */
  now?: Date
}

/** The local TLS material, and whether this call had to issue a new server certificate. */
export interface LocalCertificates extends TlsMaterial {
  caCert: string
  issued: boolean
}

/**
 * Returns the local CA and a current server certificate, reusing the files in `<dataDir>/tls/`
 * when they are valid and issuing (and storing) new ones when they are missing, broken, expire
 * within {@link RENEW_WHEN_DAYS_LEFT} days, or do not list exactly the current names.
 */
export async function ensureLocalCertificates(options: EnsureLocalCertificatesOptions): Promise<LocalCertificates> {
  const { dataDir, hostnames, log, now = new Date() } = options
  const paths = localCaPaths(dataDir)
  const names = collectServerNames(hostnames)
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 })

  const ca = checked(readStoredPair(paths.caKey, paths.caCert), (cert) => problemWithCa(cert, now))
  if (ca.ok) {
    const server = checked(readStoredPair(paths.serverKey, paths.serverCert), (cert) =>
      problemWithServerCert(cert, ca.cert, names, now),
    )
    if (server.ok) {
      restrictKeyPermissions([paths.caKey, paths.serverKey], log)
      return { ...materialFrom(server.pair, ca.pair), issued: false }
    }
    log.info({ reason: server.problem }, 'issuing a new server certificate signed by the local CA')
  } else {
    logCaReplacement(ca, paths.caCert, log)
  }

  const issued = await issueCertificates(
    { ca: ca.ok ? ca.pair : null, hostname: os.hostname(), names, nowMs: now.getTime() },
    log,
  )
  if (issued.caIsNew) {
    writeFileAtomic(paths.caKey, issued.ca.key, 0o600)
    writeFileAtomic(paths.caCert, issued.ca.cert, 0o644)
  }
  writeFileAtomic(paths.serverKey, issued.server.key, 0o600)
  writeFileAtomic(paths.serverCert, issued.server.cert, 0o644)
  log.info(
    { dns_names: names.dns, ip_addresses: names.ips, valid_to: new X509Certificate(issued.server.cert).validTo },
    'server certificate issued',
  )
  return { ...materialFrom(issued.server, issued.ca), issued: true }
}

function materialFrom(server: PemPair, ca: PemPair): TlsMaterial & { caCert: string } {
  // The CA follows the server certificate: clients that already trust it ignore the extra
  // certificate, and tools that print the chain show where the certificate comes from.
  return { key: server.key, cert: `${server.cert.trimEnd()}\n${ca.cert.trimEnd()}\n`, caCert: ca.cert }
}

type StoredPair =
  | { ok: true; pair: PemPair; cert: X509Certificate }
  | { ok: false; problem: string; missing: boolean }

function readStoredPair(keyFile: string, certFile: string): StoredPair {
  let pair: PemPair
  try {
    pair = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') }
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    return { ok: false, problem: missing ? 'not created yet' : (err as Error).message, missing }
  }
  try {
    return { ok: true, pair, cert: validatePemPair(pair.key, pair.cert, { key: keyFile, cert: certFile }) }
  } catch (err) {
    return { ok: false, problem: (err as Error).message, missing: false }
  }
}

/** Applies a further check to a readable pair; `check` returns the problem, or null when fine. */
function checked(stored: StoredPair, check: (cert: X509Certificate) => string | null): StoredPair {
  if (!stored.ok) return stored
  const problem = check(stored.cert)
  return problem === null ? stored : { ok: false, problem, missing: false }
}

function problemWithCa(ca: X509Certificate, now: Date): string | null {
  if (!ca.ca) return 'the stored CA certificate is not a CA'
  if (millisecondsLeft(ca, now) < RENEW_WHEN_DAYS_LEFT * DAY_MS) return `the CA expires on ${ca.validTo}`
  return null
}

function problemWithServerCert(
  server: X509Certificate,
  ca: X509Certificate,
  names: ServerNames,
  now: Date,
): string | null {
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) return 'it was not signed by the current CA'
  if (millisecondsLeft(server, now) < RENEW_WHEN_DAYS_LEFT * DAY_MS) return `it expires on ${server.validTo}`
  // A clock set back (e.g. a Pi without a real-time clock) would make the certificate "not yet valid".
  if (new Date(server.validFrom).getTime() > now.getTime()) return `it is valid only from ${server.validFrom}`
  if (!sameServerNames(subjectAltNames(server), names)) return 'the server names or addresses changed'
  return null
}

function logCaReplacement(ca: { problem: string; missing: boolean }, caFile: string, log: TlsLogger): void {
  if (ca.missing) {
    log.info({ ca_file: caFile }, 'creating a local certificate authority; install /ca.mobileconfig on each phone once')
    return
  }
  log.warn(
    { ca_file: caFile, reason: ca.problem },
    'replacing the local certificate authority: phones that trusted the old one must install /ca.mobileconfig again',
  )
}

/** Runs the generator in a child process; falls back to this process if the child cannot run. */
async function issueCertificates(request: IssueRequest, log: TlsLogger): Promise<IssueResult> {
  try {
    return await issueInChildProcess(request)
  } catch (err) {
    log.warn({ err }, 'certificate generator process failed; generating in the server process instead')
    const { issueCertificates: issueHere } = await import('./certificate-issuer.js')
    return issueHere(request)
  }
}

function issueInChildProcess(request: IssueRequest): Promise<IssueResult> {
  // The child runs the same kind of file as this one: .ts under tsx, .js when built. fork() passes
  // on this process's execArgv, so a TypeScript loader given with --import reaches the child too.
  const extension = path.extname(fileURLToPath(import.meta.url))
  const script = new URL(`./issuer-process${extension}`, import.meta.url)
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`certificate generator did not finish within ${ISSUER_TIMEOUT_MS / 1000} s`))
    }, ISSUER_TIMEOUT_MS)
    const settle = (action: () => void) => {
      clearTimeout(timer)
      action()
    }
    child.once('error', (err) => settle(() => reject(err)))
    // 'disconnect', not 'exit': IPC delivers the reply before the channel closes, while 'exit' may
    // be reported before the reply has been read. A second settle() is a no-op.
    child.once('disconnect', () =>
      settle(() => reject(new Error('certificate generator process ended without an answer (see stderr)'))),
    )
    child.once('message', (reply: IssuerReply) =>
      settle(() => (reply.ok ? resolve(reply.result) : reject(new Error(reply.message)))),
    )
    child.send(request)
  })
}

/** Writes via a temporary file, fsync and rename, so a crash never leaves half a key on disk. */
function writeFileAtomic(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`
  const fd = fs.openSync(temporary, 'w', mode)
  try {
    fs.writeFileSync(fd, content)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(temporary, file)
  fsyncDirectory(path.dirname(file))
}

function fsyncDirectory(dir: string): void {
  // Makes the rename itself durable on Linux; Windows cannot open directories, and the rename is
  // already atomic there, so skipping is safe.
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    /* not supported on this platform */
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** Private keys copied or restored from a backup may have lost their 0600 mode; put it back. */
function restrictKeyPermissions(keyFiles: string[], log: TlsLogger): void {
  if (process.platform === 'win32') return
  for (const file of keyFiles) {
    const mode = fs.statSync(file).mode & 0o777
    if ((mode & 0o077) !== 0) {
      fs.chmodSync(file, 0o600)
      log.warn({ file, mode: mode.toString(8) }, 'private key was readable by other users; set its mode to 600')
    }
  }
}
