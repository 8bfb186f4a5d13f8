// A pino logger for commands run by a person: modules such as src/tls log structured lines for the
// server's log file; at a terminal only their message matters, so each line becomes "  <message>".
import pino, { type Logger } from 'pino'

/** Writes the `msg` of every line at `level` or above to `write`, indented under the command's output. */
export function createConsoleLogger(write: (text: string) => void, level: pino.Level = 'info'): Logger {
  return pino(
    { level, base: undefined, timestamp: false },
    {
      write(line: string) {
        const { msg } = JSON.parse(line) as { msg?: string }
        if (msg) write(`  ${msg}\n`)
      },
    },
  )
}
