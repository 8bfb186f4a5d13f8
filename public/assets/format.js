// Numbers and times as a person reads them.

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

export function formatBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return null
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit += 1
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${BYTE_UNITS[unit]}`
}

export function formatSpeed(bytesPerSecond) {
  const bytes = formatBytes(bytesPerSecond)
  return bytes && `${bytes}/s`
}

/** 75 → "1:15", 3725 → "1:02:05" */
export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return null
  const total = Math.round(seconds)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function formatWhen(iso) {
  const date = iso ? new Date(iso) : null
  return date && !Number.isNaN(date.getTime()) ? dateFormat.format(date) : null
}

/** "42% · 1.2 MB/s · 0:31 left", leaving out what yt-dlp has not said yet. */
export function describeProgress(progress) {
  const parts = []
  if (typeof progress.percent === 'number') parts.push(`${progress.percent.toFixed(progress.percent >= 10 ? 0 : 1)}%`)
  else if (progress.downloaded_bytes != null) parts.push(formatBytes(progress.downloaded_bytes))
  const speed = formatSpeed(progress.speed_bps)
  if (speed) parts.push(speed)
  const eta = formatDuration(progress.eta_seconds)
  if (eta) parts.push(`${eta} left`)
  return parts.length ? parts.join(' · ') : 'Starting…'
}
