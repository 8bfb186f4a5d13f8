// The one entry point for HTTPS material. main.ts calls:
//   const material = await loadTlsMaterial(config.tls, dataDir, log)      // key, cert chain, CA
//   const stopWatching = watchCertificateFiles(config.tls, log, apply)    // owner's files changed
//   const stopRenewing = scheduleRenewal(config.tls, dataDir, log, apply) // local cert renewed
// where apply(m) calls server.setSecureContext({ key: m.key, cert: m.cert, minVersion: 'TLSv1.2' }).
// Each of the last two is a no-op in the mode it does not serve, so both can always be called.
import fs from 'node:fs'
import type { Config } from '../core/config.js'
import { ConfigError } from '../core/errors.js'
import { describeCertificate, validatePemPair, type TlsMaterial } from './certificate-info.js'
import { ensureLocalCertificates, RENEW_WHEN_DAYS_LEFT, type TlsLogger } from './local-ca.js'

export type { TlsMaterial } from './certificate-info.js'
export type { TlsLogger } from './local-ca.js'

const SECOND_MS = 1000
const HOUR_MS = 60 * 60 * SECOND_MS

/**
 * The TLS material to serve: the owner's `tls.cert_file` + `tls.key_file` when set, otherwise the
 * local CA and its server certificate from `<dataDir>/tls/` (created or renewed as needed).
 * Throws a ConfigError that says how to fix the configuration when the files are unusable.
 * Callers check `tls.enabled` first; this function always produces material.
 */
export async function loadTlsMaterial(tls: Config['tls'], dataDir: string, log: TlsLogger): Promise<TlsMaterial> {
  if (usesConfiguredFiles(tls)) {
    let material: TlsMaterial
    try {
      material = readConfiguredFiles(tls)
    } catch (err) {
      // At start-up an unusable file is the operator's to fix: one line, exit 78.
      throw new ConfigError((err as Error).message)
    }
    warnIfExpiringSoon(material.cert, tls.cert_file, log)
    return material
  }
  const { key, cert, caCert } = await ensureLocalCertificates({ dataDir, hostnames: tls.hostnames, log })
  return { key, cert, caCert }
}

/** Options of {@link watchCertificateFiles}; the defaults suit production, tests shorten them. */
export interface WatchOptions {
  /** how often each file is stat()ed */
  pollIntervalMs?: number
  /** quiet time after the last change before reloading, so a renewal that writes both files reloads once */
  debounceMs?: number
}

/**
 * Watches `tls.cert_file` and `tls.key_file` (configured files only; otherwise a no-op) and calls
 * `onChange` with fresh material after they change and form a valid pair again. Broken or
 * mismatched files are logged and the current certificate stays in use. Returns stop().
 */
export function watchCertificateFiles(
  tls: Config['tls'],
  log: TlsLogger,
  onChange: (material: TlsMaterial) => void,
  { pollIntervalMs = 2 * SECOND_MS, debounceMs = SECOND_MS }: WatchOptions = {},
): () => void {
  if (!usesConfiguredFiles(tls)) return () => {}
  let current = tryReadConfiguredFiles(tls)
  let debounce: NodeJS.Timeout | undefined

  const reload = () => {
    debounce = undefined
    let fresh: TlsMaterial
    try {
      fresh = readConfiguredFiles(tls)
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'certificate files changed but are not usable; keeping the current certificate')
      return
    }
    if (current !== null && fresh.cert === current.cert && fresh.key === current.key) return
    current = fresh
    log.info({ cert_file: tls.cert_file, valid_to: describeCertificate(fresh.cert).valid_to }, 'certificate files reloaded')
    onChange(fresh)
  }
  const onFileChange = () => {
    clearTimeout(debounce)
    debounce = setTimeout(reload, debounceMs)
    debounce.unref()
  }

  // Polling with fs.watchFile rather than fs.watch: stat() follows symlinks, so it notices the
  // symlink swaps of Let's Encrypt (live/ → archive/certN.pem) and Kubernetes-style "..data"
  // directories as well as renames and in-place writes, on every OS and on network filesystems
  // where fs.watch is blind. Two stat() calls every 2 s cost nothing; `persistent: false` keeps
  // the watcher from holding the process open at shutdown.
  const files = [tls.cert_file, tls.key_file]
  for (const file of files) fs.watchFile(file, { interval: pollIntervalMs, persistent: false }, onFileChange)
  return () => {
    clearTimeout(debounce)
    for (const file of files) fs.unwatchFile(file, onFileChange)
  }
}

/** Options of {@link scheduleRenewal}. */
export interface RenewalOptions {
  /** time between checks; a server certificate is renewed within this long of entering its last 30 days */
  intervalMs?: number
}

/**
 * For the local CA (otherwise a no-op): checks every 12 hours whether the server certificate needs
 * re-issuing (expiry within 30 days, or the machine's names or addresses changed) and calls
 * `onChange` with the new material when it did. Failures are logged; the current certificate stays.
 * The timer never keeps the process alive. Returns stop().
 */
export function scheduleRenewal(
  tls: Config['tls'],
  dataDir: string,
  log: TlsLogger,
  onChange: (material: TlsMaterial) => void,
  { intervalMs = 12 * HOUR_MS }: RenewalOptions = {},
): () => void {
  if (usesConfiguredFiles(tls)) return () => {}
  let running = false
  let stopped = false
  const check = async () => {
    if (running) return
    running = true
    try {
      const { issued, key, cert, caCert } = await ensureLocalCertificates({ dataDir, hostnames: tls.hostnames, log })
      if (issued && !stopped) onChange({ key, cert, caCert })
    } catch (err) {
      log.error({ err }, 'renewing the server certificate failed; the current one stays in use')
    } finally {
      running = false
    }
  }
  const timer = setInterval(check, intervalMs)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

/** True when the owner's files are configured; throws when only one of the two is set. */
function usesConfiguredFiles(tls: Config['tls']): tls is Config['tls'] & { cert_file: string; key_file: string } {
  if ((tls.cert_file === null) !== (tls.key_file === null)) {
    const missing = tls.cert_file === null ? 'tls.cert_file' : 'tls.key_file'
    throw new ConfigError(
      `${missing} is not set: set both tls.cert_file and tls.key_file to use your own certificate ` +
        "(e.g. Let's Encrypt fullchain.pem and privkey.pem), or neither to use the automatic local CA",
    )
  }
  return tls.cert_file !== null
}

function readConfiguredFiles(tls: { cert_file: string; key_file: string }): TlsMaterial {
  const cert = readConfiguredFile('tls.cert_file', tls.cert_file)
  const key = readConfiguredFile('tls.key_file', tls.key_file)
  validatePemPair(key, cert, { key: `tls.key_file (${tls.key_file})`, cert: `tls.cert_file (${tls.cert_file})` })
  return { key, cert, caCert: null }
}

function tryReadConfiguredFiles(tls: { cert_file: string; key_file: string }): TlsMaterial | null {
  try {
    return readConfiguredFiles(tls)
  } catch {
    return null
  }
}

function readConfiguredFile(configKey: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const hint =
      code === 'EACCES'
        ? "the server's user may not read it (Let's Encrypt keys are root-only: copy them with a deploy hook or adjust the group)"
        : 'check the path'
    throw new Error(`cannot read ${configKey} ${file} (${code ?? (err as Error).message}): ${hint}`)
  }
}

function warnIfExpiringSoon(certPem: string, file: string, log: TlsLogger): void {
  const { days_left, valid_to } = describeCertificate(certPem)
  if (days_left < RENEW_WHEN_DAYS_LEFT) {
    log.warn(
      { cert_file: file, valid_to, days_left },
      days_left < 0
        ? 'the configured certificate has expired: clients will refuse it until it is renewed'
        : 'the configured certificate expires soon: check that its renewal (certbot, tailscale cert) runs',
    )
  }
}
