// Doctor checks for what lives on disk: free space for downloads, the database, the stored API keys.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../core/config.js'
import { createApiKeysRepository } from '../db/api-keys-repository.js'
import { MIGRATIONS } from '../db/migrations.js'
import { DATABASE_FILE, openDatabase, schemaVersion, type Db } from '../db/open.js'
import { checkDisk } from '../jobs/preflight.js'
import { check, CheckStatus, formatBytes, type CheckResult } from './doctor-check.js'

/** integrity_check reads every page; above this size the much faster quick_check is used. */
const FULL_CHECK_MAX_BYTES = 256 * 1024 * 1024
const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version))

/** Free space where downloads go, against storage.min_free_disk_mb. */
export async function checkDiskSpace(downloadsDir: string, minFreeMb: number): Promise<CheckResult> {
  const disk = await checkDisk(downloadsDir, minFreeMb)
  if (disk.free_bytes === null) {
    return check('disk', CheckStatus.fail, `cannot read the free space of ${downloadsDir}: check storage.downloads_dir`)
  }
  const summary = `${formatBytes(disk.free_bytes)} free for ${downloadsDir} (storage.min_free_disk_mb: ${minFreeMb})`
  if (!disk.ok) return check('disk', CheckStatus.warn, `${summary}: downloads pause until space is freed or the minimum lowered`)
  return check('disk', CheckStatus.ok, summary)
}

/**
 * Database integrity and schema version, and the API keys (which need the database to count).
 * Opens the database read-only: the doctor never migrates or repairs anything.
 */
export function checkDatabaseAndKeys(config: Config, dataDir: string): CheckResult[] {
  const file = path.join(dataDir, DATABASE_FILE)
  if (!existsSync(file)) {
    return [
      check('database', CheckStatus.warn, `${file} does not exist yet: run \`vds init\` or start the server`),
      checkApiKeys(config.security, 0),
    ]
  }
  let db: Db | undefined
  try {
    db = openDatabase(dataDir, { readonly: true })
    return [checkDatabase(db, file), checkApiKeys(config.security, createApiKeysRepository(db).listActive().length)]
  } catch (err) {
    return [
      check(
        'database',
        CheckStatus.fail,
        `${file} cannot be read (${(err as Error).message}): restore it from a backup, or move it away to start empty`,
      ),
    ]
  } finally {
    // A plain close: a read-only connection has nothing to checkpoint, and a damaged file would throw.
    db?.close()
  }
}

function checkDatabase(db: Db, file: string): CheckResult {
  const big = statSync(file).size > FULL_CHECK_MAX_BYTES
  const pragma = big ? 'quick_check' : 'integrity_check'
  const problems = (db.pragma(`${pragma}(10)`) as Record<string, string>[])
    .map((row) => Object.values(row)[0])
    .filter((line) => line !== 'ok')
  if (problems.length > 0) {
    return check(
      'database',
      CheckStatus.fail,
      `${file} is damaged (${pragma}: ${problems.join('; ')}): stop the server and restore a backup, ` +
        'or try `sqlite3 vds.sqlite3 ".recover"`',
    )
  }
  const version = schemaVersion(db)
  if (version > LATEST_SCHEMA) {
    return check('database', CheckStatus.fail, `${file} has schema version ${version}, newer than this vds knows (${LATEST_SCHEMA}): update vds`)
  }
  if (version < LATEST_SCHEMA) {
    return check('database', CheckStatus.warn, `${file} has schema version ${version}; the server upgrades it to ${LATEST_SCHEMA} at its next start`)
  }
  return check('database', CheckStatus.ok, `${file} passes ${pragma} (schema version ${version})`)
}

function checkApiKeys(security: Config['security'], storedActive: number): CheckResult {
  if (!security.require_api_key) {
    return check('api_keys', CheckStatus.warn, 'security.require_api_key is false: anyone who can reach the port can submit links')
  }
  const total = security.api_keys.length + storedActive
  if (total === 0) {
    return check(
      'api_keys',
      CheckStatus.warn,
      'no API key yet: the server makes one at its first start and prints it once (or run `vds init` / `vds keys add NAME`)',
    )
  }
  return check('api_keys', CheckStatus.ok, `${total} usable (${security.api_keys.length} in the config, ${storedActive} stored)`)
}
