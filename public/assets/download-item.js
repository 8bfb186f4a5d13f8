// One download in the history list: its card, kept up to date from status and progress events,
// its media once completed (media-view.js), and its buttons (retry, cancel, delete), which call the
// API through `actions`.
import { cloneTemplate, field, safeHref, showMessage } from './dom.js'
import { describeProgress, formatBytes, formatDuration, formatWhen } from './format.js'
import { createMediaView, displayTitle, shownFiles } from './media-view.js'

const STATUS_LABELS = {
  pending: 'Pending',
  downloading: 'Downloading',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

/** Which statuses offer which button; the API answers 409 for the rest anyway. */
const BUTTON_STATUSES = {
  retry: ['failed', 'cancelled'],
  cancel: ['pending', 'downloading'],
  // a running download must be cancelled first
  delete: ['pending', 'completed', 'failed', 'cancelled'],
}

/** An album's size is all of its files'. */
function describeSize(download) {
  const files = download.files ?? []
  if (files.length < 2) return formatBytes(download.file_size)
  const total = files.reduce((sum, file) => sum + (file.file_size ?? 0), 0)
  return `${files.length} items, ${formatBytes(total)}`
}

function describeMeta(download) {
  const parts = [download.uploader, formatDuration(download.duration_seconds), describeSize(download)]
  if (download.status === 'pending' && download.retry_count > 0 && download.next_attempt_at) {
    parts.push(`retry ${download.retry_count} at ${formatWhen(download.next_attempt_at)}`)
  } else {
    parts.push(formatWhen(download.submitted_at))
  }
  return parts.filter(Boolean).join(' · ')
}

/**
 * actions: { retry(id), cancel(id) → download; remove(id, deleteFile); removed(id) }
 */
export function createDownloadItem(initial, actions) {
  const element = cloneTemplate('download-item-template')
  const id = initial.download_id
  element.dataset.id = id
  const button = (name) => element.querySelector(`[data-action="${name}"]`)
  const message = field(element, 'message')
  const confirmPanel = field(element, 'confirm')
  const mediaBox = field(element, 'media')
  let current = initial
  /** the media shown, and which files it shows (a status refresh must not restart a playing video) */
  let media = null
  let mediaFiles = ''

  /** Runs an API action with the buttons disabled; shows the API's message when it fails. */
  async function run(busyText, work) {
    const buttons = element.querySelectorAll('button')
    for (const b of buttons) b.disabled = true
    showMessage(message, busyText)
    try {
      await work()
      showMessage(message, '')
    } catch (error) {
      showMessage(message, error.message, true)
    } finally {
      for (const b of buttons) b.disabled = false
    }
  }

  function hideMedia() {
    media?.destroy()
    media = null
    mediaFiles = ''
    mediaBox.hidden = true
  }

  /** Shows a completed download's files; links renewed for the same files keep the view as it is. */
  function showMedia(download) {
    const files = shownFiles(download).map((file) => `${file.index}:${file.file_path}`).join('|')
    if (media && files === mediaFiles) return
    hideMedia()
    media = createMediaView(download)
    if (!media) return
    mediaFiles = files
    mediaBox.replaceChildren(media.element)
    mediaBox.hidden = false
  }

  element.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.dataset.action
    if (action === 'retry') void run('Retrying…', async () => update(await actions.retry(id)))
    else if (action === 'cancel') void run('Cancelling…', async () => update(await actions.cancel(id)))
    else if (action === 'delete') {
      confirmPanel.hidden = false
      button('confirm-delete').focus()
    } else if (action === 'keep') {
      confirmPanel.hidden = true
      button('delete').focus()
    } else if (action === 'confirm-delete') {
      const deleteFile = field(element, 'delete-file').checked
      void run('Deleting…', async () => {
        await actions.remove(id, deleteFile)
        actions.removed(id)
      })
    }
  })

  function updateProgress(progress) {
    const percent = typeof progress.percent === 'number' ? Math.min(Math.max(progress.percent, 0), 100) : null
    const track = element.querySelector('[role="progressbar"]')
    // Setting style from script is CSSOM, which the CSP allows (it forbids style attributes in markup).
    field(element, 'progress-fill').style.width = `${percent ?? 0}%`
    track.classList.toggle('indeterminate', percent === null)
    if (percent === null) track.removeAttribute('aria-valuenow')
    else track.setAttribute('aria-valuenow', String(Math.round(percent)))
    field(element, 'progress-text').textContent = describeProgress(progress)
  }

  function update(download) {
    current = download
    element.dataset.status = download.status
    const title = field(element, 'title')
    title.textContent = displayTitle(download)
    const href = safeHref(download.url)
    if (href) title.href = href
    else title.removeAttribute('href')
    field(element, 'meta').textContent = describeMeta(download)
    const badge = field(element, 'status')
    badge.textContent = STATUS_LABELS[download.status] ?? download.status
    badge.className = `badge badge-${download.status}`
    field(element, 'progress').hidden = download.status !== 'downloading'
    if (download.status === 'downloading') updateProgress(download.progress)
    const error = field(element, 'error')
    const showError = Boolean(download.error_message) && download.status !== 'completed'
    error.hidden = !showError
    error.textContent = showError ? download.error_message : ''
    for (const [name, statuses] of Object.entries(BUTTON_STATUSES)) button(name).hidden = !statuses.includes(download.status)
    // The site's thumbnail_url is never loaded: the media's own first frame or photo is the thumbnail.
    if (download.status === 'completed') showMedia(download)
    else hideMedia()
    if (!BUTTON_STATUSES.delete.includes(download.status)) confirmPanel.hidden = true
  }

  update(initial)
  return {
    element,
    get download() {
      return current
    },
    update,
    updateProgress,
    destroy() {
      hideMedia()
      element.remove()
    },
  }
}
