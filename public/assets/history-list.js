// The history list: pages of GET /api/v1/history (newest first), filters, and live updates from
// status/progress events or, while the event stream is down, from polling the active downloads.
import { createDownloadItem } from './download-item.js'

const PAGE_SIZE = 20
const ACTIVE = ['pending', 'downloading']

/**
 * elements: { list, count, empty, more }. api: from createApi. onError(error) gets every API
 * failure of loading (a 401 means the key was rejected); announce(text) speaks status changes;
 * onShown(download) hears every state a card is given (from events, polling or a page).
 */
export function createHistoryList({ elements, api, onError, announce, onShown = () => {} }) {
  /** id → item view, in display order (newest first) */
  const items = new Map()
  let filters = { status: '', q: '' }
  let total = 0
  /** bumps on every reload, so an older page that answers late is dropped */
  let generation = 0

  const itemActions = {
    retry: (id) => api.retry(id),
    cancel: (id) => api.cancel(id),
    remove: (id, deleteFile) => api.remove(id, deleteFile),
    removed: (id) => remove(id),
  }

  function renderCounts() {
    elements.count.textContent = total > 0 ? `${items.size} of ${total}` : ''
    elements.empty.hidden = items.size > 0
    elements.more.hidden = items.size >= total
  }

  /** Adds or refreshes one download; a late answer older than what is shown is ignored. */
  function upsert(download, { atTop }) {
    const existing = items.get(download.download_id)
    if (existing) {
      if (download.updated_at >= existing.download.updated_at) {
        existing.update(download)
        onShown(download)
      }
      return
    }
    const item = createDownloadItem(download, itemActions)
    onShown(download)
    items.set(download.download_id, item)
    if (atTop) {
      elements.list.prepend(item.element)
      total += 1
    } else {
      elements.list.append(item.element)
    }
  }

  /** Empties the list; pages still on their way for the old list are dropped. */
  function reset() {
    generation += 1
    for (const item of items.values()) item.destroy()
    items.clear()
    total = 0
  }

  function remove(id) {
    const item = items.get(id)
    if (!item) return
    item.destroy()
    items.delete(id)
    total = Math.max(total - 1, 0)
    renderCounts()
  }

  async function loadPage(offset) {
    const mine = generation
    const page = await api.history({ limit: PAGE_SIZE, offset, ...filters })
    if (mine !== generation) return
    total = page.total
    for (const download of page.downloads) upsert(download, { atTop: false })
    renderCounts()
  }

  /** Whether a download not shown yet belongs on top of this list (a search needs the server's matching). */
  const wouldList = (status) => !filters.q && (!filters.status || filters.status === status)

  /** Fetches one download and shows it; a new one goes on top when the filters would list it. */
  async function refresh(id) {
    try {
      const download = await api.status(id)
      if (items.has(id) || wouldList(download.status)) upsert(download, { atTop: true })
      renderCounts()
    } catch (error) {
      if (error.status === 404) remove(id)
      else onError(error)
    }
  }

  return {
    /** Loads the first page again with these filters (or the current ones). */
    async reload(nextFilters = filters) {
      filters = nextFilters
      reset()
      try {
        await loadPage(0)
      } catch (error) {
        onError(error)
      }
    },
    async loadMore() {
      elements.more.disabled = true
      try {
        // Items added live since the first page shifted the server's pages by as many; the map
        // skips any download shown twice.
        await loadPage(items.size)
      } catch (error) {
        onError(error)
      } finally {
        elements.more.disabled = false
      }
    },
    /** A download the user just submitted (the event for it may have come first: no double). */
    added: (id) => refresh(id),
    onStatusEvent({ download_id: id, status, title }) {
      if (status === null) return remove(id)
      const item = items.get(id)
      if (!item && !wouldList(status)) return
      if (item && (status === 'completed' || status === 'failed')) {
        // the event carries the finished download, whose title the card does not know yet
        const what = title || item.download.title || item.download.url
        announce(status === 'completed' ? `Finished: ${what}` : `Failed: ${what}`, status === 'failed')
      }
      void refresh(id)
    },
    onProgressEvent({ download_id: id, progress }) {
      const item = items.get(id)
      if (!item) return
      if (item.download.status === 'downloading') item.updateProgress(progress)
      // The status event's refresh is still on its way; the progress says it runs already.
      else if (item.download.status === 'pending') {
        const running = { ...item.download, status: 'downloading', progress }
        item.update(running)
        onShown(running)
      }
    },
    /** Polls the pending and downloading ones: the fallback while the event stream is down. */
    async refreshActive() {
      const active = [...items.values()].filter((item) => ACTIVE.includes(item.download.status))
      await Promise.all(active.map((item) => refresh(item.download.download_id)))
    },
    clear() {
      reset()
      elements.count.textContent = ''
      elements.more.hidden = true
      elements.empty.hidden = true
    },
  }
}
