// pino-roll ships no types; this covers the part we call.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino'
  interface PinoRollOptions {
    file: string
    size?: string | number
    frequency?: 'daily' | 'hourly' | number
    extension?: string
    mkdir?: boolean
    symlink?: boolean
    limit?: { count?: number; removeOtherLogFiles?: boolean }
  }
  export default function build(options: PinoRollOptions): Promise<DestinationStream & { end(): void; flushSync?(): void }>
}
