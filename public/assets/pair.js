// The pairing page: claims this phone's key (once), fills in every Shortcut field with copy
// buttons, and checks that the key works. Loaded as a module: the page has no inline script.
const { code, server } = document.body.dataset
const $ = (id) => document.getElementById(id)

function say(element, text, isError = false) {
  element.textContent = text
  element.classList.toggle('error', isError)
}

async function copy(text, button) {
  try {
    await window.navigator.clipboard.writeText(text)
  } catch {
    // Older Safari without clipboard access: select the text so "Copy" from the menu works.
    const range = document.createRange()
    range.selectNodeContents(button.previousElementSibling)
    window.getSelection().removeAllRanges()
    window.getSelection().addRange(range)
    document.execCommand('copy')
  }
  button.textContent = 'Copied'
  setTimeout(() => (button.textContent = 'Copy'), 1500)
}

function fill(claimed) {
  const base = claimed.server_url || server
  const values = {
    'f-submit-url': `${base}/api/v1/download`,
    'f-method': 'POST',
    'f-header': 'X-API-Key',
    'f-key': claimed.key,
    'f-body': 'url = Shortcut Input',
    'f-status-url': `${base}/api/v1/status/`,
  }
  for (const [id, value] of Object.entries(values)) $(id).textContent = value
  for (const element of document.querySelectorAll('[data-fill="key"]')) element.textContent = claimed.key
  for (const element of document.querySelectorAll('[data-fill="submit_url"]')) element.textContent = values['f-submit-url']
  for (const element of document.querySelectorAll('[data-fill="status_url"]')) element.textContent = values['f-status-url']
  for (const button of document.querySelectorAll('button.copy')) {
    button.addEventListener('click', () => copy($(button.dataset.copy).textContent, button))
  }
  $('fields').hidden = false
}

let key = null

// The "link used or expired" page has no buttons.
$('claim')?.addEventListener('click', async () => {
  const button = $('claim')
  button.disabled = true
  say($('claim-status'), 'Getting your key…')
  try {
    const response = await fetch(`/api/v1/pairings/${encodeURIComponent(code)}/claim`, { method: 'POST' })
    const body = await response.json().catch(() => null)
    if (response.status !== 201) {
      say($('claim-status'), body?.error?.message ?? `The server answered ${response.status}`, true)
      return
    }
    key = body.key
    button.hidden = true
    say($('claim-status'), `Your key for “${body.name}” (shown only now):`)
    fill(body)
  } catch {
    button.disabled = false
    say($('claim-status'), 'Could not reach the server. Check the Wi-Fi or VPN, then try again.', true)
  }
})

$('check')?.addEventListener('click', async () => {
  say($('check-status'), 'Checking…')
  try {
    const response = await fetch('/api/v1/history?limit=1', { headers: { 'X-API-Key': key } })
    if (response.ok) say($('check-status'), 'Connected: the server accepts this key. Now build the Shortcuts below.')
    else say($('check-status'), `The server answered ${response.status}: the key does not work.`, true)
  } catch {
    say($('check-status'), 'Could not reach the server: trust its certificate (step 1) and check the network.', true)
  }
})
