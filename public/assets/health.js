// The health dot in the header: GET /api/v1/health (no key needed), its checks behind a toggle.
import { fetchHealth } from './api.js'
import { formatBytes } from './format.js'

const HEALTH_POLL_MS = 30_000

const LABELS = { healthy: 'Healthy', degraded: 'Degraded', unhealthy: 'Unhealthy', unreachable: 'Unreachable' }

function summarize(report) {
  if (!report) return 'The server did not answer.'
  const { queue } = report
  const free = formatBytes(report.disk.free_bytes)
  return [
    `Version ${report.version}`,
    `${queue.pending} pending, ${queue.downloading} downloading, ${queue.completed} completed, ${queue.failed} failed`,
    free && `${free} free`,
  ]
    .filter(Boolean)
    .join(' · ')
}

function checkLine(text, level) {
  const line = document.createElement('li')
  line.textContent = text
  line.className = `check-${level}`
  return line
}

/** elements: { toggle, label, details, summary, checks } */
export function startHealthIndicator(elements) {
  elements.toggle.addEventListener('click', () => {
    const opening = elements.details.hidden
    elements.details.hidden = !opening
    elements.toggle.setAttribute('aria-expanded', String(opening))
    if (opening) void check()
  })

  async function check() {
    const report = await fetchHealth()
    const status = report?.status ?? 'unreachable'
    elements.toggle.dataset.health = status
    // "Degraded" alone does not help: the pill names the checks that are not passing.
    const failing = (report?.checks ?? []).filter((c) => c.status !== 'pass').map((c) => c.name)
    const label = LABELS[status] ?? status
    elements.label.textContent = status !== 'healthy' && failing.length > 0 ? `${label}: ${failing.join(', ')}` : label
    elements.summary.textContent = summarize(report)
    const checks = report?.checks ?? []
    elements.checks.replaceChildren(
      ...(checks.length > 0
        ? checks.map((c) => checkLine(`${c.name}: ${c.message}`, c.status))
        : [checkLine(report ? 'All checks passed.' : 'No report.', report ? 'pass' : 'fail')]),
    )
  }

  void check()
  setInterval(() => void check(), HEALTH_POLL_MS)
  return { check }
}
