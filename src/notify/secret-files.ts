// Secrets the server makes once and keeps in <data_dir> (mode 0600): the webhook signing secret and
// the VAPID key pair. Made with O_EXCL, so two processes starting at once agree on one value.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'

/** The file's content, creating it with `make()` when it does not exist yet. */
export function loadOrCreateSecret(dataDir: string, fileName: string, make: () => string): string {
  const file = path.join(dataDir, fileName)
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const value = make()
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' })
    return value
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return readFileSync(file, 'utf8').trim()
  }
}
