// Small DOM helpers. Text from the API only ever goes in through textContent or attributes.

export const byId = (id) => document.getElementById(id)

/** A fresh copy of a <template>'s first element. */
export function cloneTemplate(id) {
  return byId(id).content.firstElementChild.cloneNode(true)
}

/** The element marked data-field="name" inside root. */
export const field = (root, name) => root.querySelector(`[data-field="${name}"]`)

/** Sets a message line's text, and an "error" look when it is one; empty text hides it. */
export function showMessage(element, text, isError = false) {
  element.textContent = text ?? ''
  element.classList.toggle('error', Boolean(isError && text))
}

/** Links from the API become href only when they are http(s), never javascript: or data:. */
export function safeHref(url) {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null
  } catch {
    return null
  }
}

/** A signed file link that downloads instead of playing (`download=1`: Content-Disposition attachment). */
export function attachmentUrl(fileUrl) {
  const url = new URL(fileUrl, location.href)
  url.searchParams.set('download', '1')
  return url.href
}
