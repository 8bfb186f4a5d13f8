// The result of one `vds doctor` check, shared by the check modules and the report.

export const CheckStatus = { ok: 'ok', warn: 'warn', fail: 'fail' } as const
/** ok: fine; warn: works, but something needs attention; fail: the server cannot do its job. */
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus]

/** One line of the doctor report (and one element of `vds doctor --json`). */
export interface CheckResult {
  /** stable short name: config, ytdlp, ffmpeg, disk, database, api_keys, certificate, port */
  name: string
  status: CheckStatus
  /** what was found, and for warn/fail how to fix it */
  message: string
}

export const check = (name: string, status: CheckStatus, message: string): CheckResult => ({ name, status, message })

const MB = 1024 * 1024

/** Bytes as "512 MB" or "12.3 GB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`
}

/** A Date as YYYY-MM-DD. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10)
