// Cookies for sites that need a login (admin): what is stored per site (never the values), a warning
// when a site's cookies expire within 3 days, an upload of a cookies.txt and a remove button.
import { showMessage } from './dom.js'
import { formatWhen } from './format.js'

/** The server's health warns from this point on too; the list says it first. */
const WARN_BEFORE_MS = 3 * 24 * 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

function expiryText(iso, now) {
  if (!iso) return { text: 'session cookies only (no expiry date)', warn: false }
  const left = new Date(iso).getTime() - now
  const when = formatWhen(iso) ?? iso
  if (left <= 0) return { text: `expired ${when}: upload fresh cookies`, warn: true }
  if (left < WARN_BEFORE_MS) {
    const days = Math.max(1, Math.round(left / DAY_MS))
    return { text: `the first expires ${when} (in ${days === 1 ? 'about a day' : `${days} days`}): upload fresh cookies soon`, warn: true }
  }
  return { text: `the first expires ${when}`, warn: false }
}

export function setUpCookiePanel({ api, elements }) {
  const { list, empty, form, site, file, error, message } = elements

  function row(info, now) {
    const item = document.createElement('li')
    item.className = 'cookie-site'
    item.dataset.site = info.site
    const text = document.createElement('p')
    const name = document.createElement('strong')
    name.textContent = info.site
    const expiry = expiryText(info.earliest_expiry, now)
    const detail = document.createElement('span')
    detail.textContent = ` · ${info.cookies} cookie${info.cookies === 1 ? '' : 's'} · ${expiry.text}`
    if (expiry.warn) detail.className = 'warn'
    text.append(name, detail)
    const remove = document.createElement('button')
    remove.type = 'button'
    remove.textContent = 'Remove'
    remove.setAttribute('aria-label', `Remove the cookies for ${info.site}`)
    remove.addEventListener('click', () => void removeSite(info.site, remove))
    item.append(text, remove)
    return item
  }

  async function refresh() {
    try {
      const { sites } = await api.listCookies()
      const now = Date.now()
      list.replaceChildren(...sites.map((info) => row(info, now)))
      empty.hidden = sites.length > 0
    } catch (err) {
      showMessage(error, err.message)
    }
  }

  async function removeSite(name, button) {
    button.disabled = true
    showMessage(error, '')
    try {
      await api.removeCookies(name)
      showMessage(message, `The cookies for ${name} were removed.`)
      await refresh()
    } catch (err) {
      button.disabled = false
      showMessage(error, err.message)
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    showMessage(error, '')
    showMessage(message, '')
    const name = site.value.trim()
    const chosen = file.files?.[0]
    if (!name) return showMessage(error, 'Name the site the cookies are for, e.g. instagram.com.')
    if (!chosen) return showMessage(error, 'Choose the cookies.txt file first.')
    const button = event.submitter ?? form.querySelector('button')
    button.disabled = true
    try {
      const stored = await api.putCookies(name, await chosen.text())
      const parts = [`Stored ${stored.cookies} cookie${stored.cookies === 1 ? '' : 's'} for ${stored.site}.`]
      if (stored.skipped > 0) parts.push(`${stored.skipped} of other sites left out.`)
      if (stored.resumed > 0) parts.push(`${stored.resumed} waiting download${stored.resumed === 1 ? '' : 's'} resumed.`)
      showMessage(message, parts.join(' '))
      form.reset()
      await refresh()
    } catch (err) {
      showMessage(error, err.message)
    } finally {
      button.disabled = false
    }
  })

  return { refresh }
}
