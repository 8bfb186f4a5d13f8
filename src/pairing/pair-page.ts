// The page a phone opens from the pairing QR code. Plain HTML with no inline script (the strict
// CSP applies): /assets/pair.js does the claim, the copy buttons and the connection check.
// Opening it (or a chat app's link preview fetching it) does not use the code: only the button does.
import type { ShortcutGuide } from './shortcut-steps.js'
import { SHORTCUT_GUIDES } from './shortcut-steps.js'

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function page(title: string, body: string, data = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <meta name="color-scheme" content="light dark">
  <meta name="referrer" content="no-referrer">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(title)}</title>
  <link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/pair.css">
  <script type="module" src="/assets/pair.js"></script>
</head>
<body${data}>
<main>
${body}
</main>
</body>
</html>
`
}

/** A step with its placeholders as <code data-fill="..."> the script fills once the key is known. */
function renderStep(step: string, serverUrl: string): string {
  const filled = escapeHtml(step)
    .replaceAll('{submit_url}', `<code data-fill="submit_url">${escapeHtml(serverUrl)}/api/v1/download</code>`)
    .replaceAll('{status_url}', `<code data-fill="status_url">${escapeHtml(serverUrl)}/api/v1/status/</code>`)
    .replaceAll('{key}', '<code data-fill="key">(your key, step 2)</code>')
  return `<li>${filled}</li>`
}

function renderGuide(guide: ShortcutGuide, serverUrl: string): string {
  return `<section class="card"><h2>Shortcut “${escapeHtml(guide.name)}”</h2><p>${escapeHtml(guide.purpose)}</p>
<ol>${guide.steps.map((step) => renderStep(step, serverUrl)).join('\n')}</ol></section>`
}

/** A signed Shortcut the page links to (only where the server could sign them: macOS). */
export interface ShortcutFileLink {
  name: string
  purpose: string
  href: string
}

export interface OpenPairingPage {
  code: string
  name: string
  expiresAt: string
  serverUrl: string
  /** the server made its own CA: the phone must trust it first */
  localCa: boolean
  /** signed Shortcut files; null or empty: the page shows how to build them by hand */
  shortcutFiles?: readonly ShortcutFileLink[] | null
}

/** The files section, with the step lists folded away below it for whoever prefers to build them. */
function renderShortcutFiles(files: readonly ShortcutFileLink[], step: number, guides: string): string {
  const links = files
    .map((file) => `<li><a class="shortcut-file" href="${escapeHtml(file.href)}" download="${escapeHtml(file.name)}.shortcut">${escapeHtml(file.name)}</a>: ${escapeHtml(file.purpose)}</li>`)
    .join('\n')
  return `<section class="card" id="shortcut-files"><h2>${step}. Add the Shortcuts</h2>
<p>Copy your key first (step ${step - 1}). Tap a Shortcut below, open the downloaded file, paste the key when Shortcuts asks for it, then tap <b>Add Shortcut</b>.</p>
<ul>${links}</ul></section>
<details class="card"><summary>Or build the Shortcuts by hand</summary>
${guides}
</details>`
}

export function renderPairingPage(p: OpenPairingPage): string {
  const field = (id: string, label: string) =>
    `<div class="field"><dt>${label}</dt><dd><code id="${id}"></code> <button type="button" class="copy" data-copy="${id}">Copy</button></dd></div>`
  const trust = p.localCa
    ? `<section class="card"><h2>1. Trust the server’s certificate</h2>
<ol>
<li>In Safari, open <a href="/ca.mobileconfig">the server’s profile</a>, tap <b>Allow</b>, then <b>Close</b>.</li>
<li><b>Settings → General → VPN &amp; Device Management</b> → <i>Video Download Server</i> → <b>Install</b> (passcode, <b>Install</b> again).</li>
<li><b>Settings → General → About → Certificate Trust Settings</b>: turn on full trust for <i>Video Download Server local CA</i>, tap <b>Continue</b>.</li>
</ol></section>`
    : ''
  const guides = SHORTCUT_GUIDES.map((guide) => renderGuide(guide, p.serverUrl)).join('\n')
  const body = `<h1>Set up “${escapeHtml(p.name)}”</h1>
<p>This link works once, until <time datetime="${escapeHtml(p.expiresAt)}">${escapeHtml(p.expiresAt.replace('T', ' ').slice(0, 16))} UTC</time>.</p>
${trust}
<section class="card"><h2>${p.localCa ? '2' : '1'}. Get this phone’s key</h2>
<p>The key is shown once, here: copy it into the Shortcuts below before you leave this page.</p>
<button type="button" id="claim" class="primary">Get my key</button>
<p id="claim-status" role="status" aria-live="polite"></p>
<div id="fields" hidden>
<dl>
${field('f-submit-url', 'URL (Download Video)')}
${field('f-method', 'Method')}
${field('f-header', 'Header key')}
${field('f-key', 'Header value (your key)')}
${field('f-body', 'JSON field')}
${field('f-status-url', 'Status URL (Save to Photos)')}
</dl>
<button type="button" id="check" class="primary">Check connection</button>
<p id="check-status" role="status" aria-live="polite"></p>
</div>
</section>
${p.shortcutFiles?.length ? renderShortcutFiles(p.shortcutFiles, p.localCa ? 3 : 2, guides) : guides}`
  return page('Pair a phone — Video Download Server', body, ` data-code="${escapeHtml(p.code)}" data-server="${escapeHtml(p.serverUrl)}"`)
}

export function renderPairingGone(message: string): string {
  return page('Pairing link — Video Download Server', `<h1>This pairing link cannot be used</h1><p class="error">${escapeHtml(message)}</p>`)
}
