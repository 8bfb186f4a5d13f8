// "Add a phone" (admin): a single-use pairing link for one phone, shown as the server's QR code,
// as text with a copy button, and with its expiry. The phone scans it and claims its own key.
import { showMessage, safeHref } from './dom.js'
import { formatWhen } from './format.js'

export function setUpPairing({ api, elements }) {
  const { form, name, error, result, qr, link, copy, done, expiry, message } = elements
  let expiryTimer = null

  function reset() {
    clearTimeout(expiryTimer)
    result.hidden = true
    form.hidden = false
    qr.removeAttribute('src')
    link.removeAttribute('href')
    link.textContent = ''
    showMessage(error, '')
    showMessage(message, '')
  }

  function show(pairing) {
    // The SVG is the server's own rendering of pair_url; as an <img> it can run nothing.
    qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(pairing.qr_svg)}`
    link.textContent = pairing.pair_url
    const href = safeHref(pairing.pair_url)
    if (href) link.href = href
    expiry.textContent = `Works once, until ${formatWhen(pairing.expires_at) ?? pairing.expires_at}.`
    form.hidden = true
    result.hidden = false
    const left = new Date(pairing.expires_at).getTime() - Date.now()
    clearTimeout(expiryTimer)
    expiryTimer = setTimeout(() => {
      expiry.textContent = 'This link has expired: press Done and make a new one.'
      expiry.classList.add('error')
    }, Math.max(0, left))
    expiry.classList.remove('error')
    copy.focus()
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const wanted = name.value.trim()
    if (!wanted) return showMessage(error, 'Give the phone a name, e.g. iphone-anna.')
    const button = event.submitter ?? form.querySelector('button')
    button.disabled = true
    showMessage(error, '')
    try {
      show(await api.createPairing(wanted))
      name.value = ''
    } catch (err) {
      showMessage(error, err.message)
    } finally {
      button.disabled = false
    }
  })

  copy.addEventListener('click', async () => {
    try {
      await window.navigator.clipboard.writeText(link.textContent)
      showMessage(message, 'Link copied.')
    } catch {
      // No clipboard (a page not served over HTTPS, or permission refused): the link stays selectable.
      showMessage(message, 'Copying is not allowed here: press and hold the link to copy it.', true)
    }
  })

  done.addEventListener('click', () => {
    reset()
    name.focus()
  })

  return { reset }
}
