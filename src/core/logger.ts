// pino JSON logs to stdout and to a size-rotated file. The file stream runs in-process (no
// transport worker thread): one thread less keeps idle memory low on a Raspberry Pi.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import pino, { type Logger } from 'pino'
import buildRollingFile from 'pino-roll'
import type { Config } from './config.js'

export type { Logger }

/** Never written to logs, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'headers["x-api-key"]',
  'headers.authorization',
  'api_key',
  'key',
  '*.api_key',
  '*.key',
]

export async function createLogger(logging: Config['logging'], logFile: string | null): Promise<Logger> {
  const options: pino.LoggerOptions = {
    level: logging.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }
  // Asynchronous stdout: a synchronous write per request line would stall the event loop under
  // load. What is buffered is flushed on clean shutdown; a crash may lose the last lines.
  const stdout = pino.destination({ dest: 1, sync: false })
  if (logFile === null || logging.level === 'silent') return pino(options, stdout)
  // pino-roll links current.log before its own mkdir has finished: make the folder first.
  mkdirSync(path.dirname(logFile), { recursive: true })
  const file = await buildRollingFile({
    file: logFile,
    size: `${logging.max_size_mb}m`,
    // count = rotated files kept besides the active one
    limit: { count: Math.max(logging.max_files - 1, 1) },
    mkdir: true,
    symlink: true,
    extension: path.extname(logFile) || '.log',
  })
  return pino(options, pino.multistream([{ stream: stdout }, { stream: file }]))
}
