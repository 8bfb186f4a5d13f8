// What a completed download shows in its card: one video, photo or sound at full width, or for an
// album (kind "album": a carousel, a slideshow, a page of videos) a grid with a tile per file in
// the post's order; a tap on a tile shows that file large above the grid. Below, the save controls.
// Every file comes from its signed file_url (see player.js for why no site thumbnail is loaded).
import { createFileView, createTilePreview, nounOf, stopMedia } from './player.js'
import { createSaveControls } from './share-files.js'

const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * A signed link on this page's own origin. file_url is absolute when server.public_url is set, and
 * the page may have been opened at another address (the LAN one, say), whose CSP (media-src and
 * connect-src 'self') would refuse it. The signature covers the path and query, not the host.
 */
function onThisOrigin(fileUrl) {
  const url = new URL(fileUrl, location.href)
  return `${url.pathname}${url.search}`
}

/** The files that can be shown (a revoked key's links are null), with links on this origin. */
export const shownFiles = (download) =>
  (download.files ?? []).filter((file) => file.file_url).map((file) => ({ ...file, file_url: onThisOrigin(file.file_url) }))

/** What a completed download is called on screen: its title, or its link when the site gave none. */
export const displayTitle = (download) => download.title || download.url

/** Its name for a screen reader: the title, or "Photo from example.com" rather than a long link. */
function spokenTitle(download, files) {
  if (download.title) return download.title
  const what = capitalized(files.length > 1 ? 'album' : nounOf(files[0]))
  let host = ''
  try {
    host = new URL(download.url).hostname
  } catch {
    // a stored link is always absolute; say less if not
  }
  return host ? `${what} from ${host}` : what
}

function createAlbum(files, title) {
  const element = document.createElement('div')
  element.className = 'album'
  const stage = document.createElement('div')
  stage.className = 'album-stage'
  stage.hidden = true
  const grid = document.createElement('ul')
  grid.className = 'album-grid'
  grid.setAttribute('aria-label', `${title}: ${files.length} items`)
  let openTile = null

  const labelOf = (file, i) => `${capitalized(nounOf(file))} ${i + 1} of ${files.length}`

  function closeStage() {
    stopMedia(stage)
    stage.replaceChildren()
    stage.hidden = true
    openTile?.setAttribute('aria-pressed', 'false')
    const tile = openTile
    openTile = null
    return tile
  }

  function openStage(tile, file, i) {
    closeStage()
    openTile = tile
    tile.setAttribute('aria-pressed', 'true')
    const view = createFileView(file, `${title}: ${labelOf(file, i).toLowerCase()}`)
    const close = document.createElement('button')
    close.type = 'button'
    close.className = 'stage-close'
    close.textContent = 'Close'
    close.setAttribute('aria-label', `Close ${labelOf(file, i).toLowerCase()}`)
    close.addEventListener('click', () => closeStage()?.focus())
    stage.append(view, close)
    stage.hidden = false
    // The tap that opened it lets a video start with sound; a refusal leaves its controls to the user.
    if (view.play) view.play().catch(() => {})
    stage.scrollIntoView({ block: 'nearest' })
  }

  files.forEach((file, i) => {
    const item = document.createElement('li')
    const tile = document.createElement('button')
    tile.type = 'button'
    tile.className = `tile tile-${file.media}`
    tile.dataset.index = String(file.index)
    tile.setAttribute('aria-label', labelOf(file, i))
    tile.setAttribute('aria-pressed', 'false')
    tile.append(createTilePreview(file))
    if (file.media !== 'image') {
      const badge = document.createElement('span')
      badge.className = 'tile-badge'
      badge.setAttribute('aria-hidden', 'true')
      badge.textContent = file.media === 'video' ? '▶' : '♪'
      tile.append(badge)
    }
    tile.addEventListener('click', () => (openTile === tile ? closeStage() : openStage(tile, file, i)))
    item.append(tile)
    grid.append(item)
  })

  element.append(stage, grid)
  return element
}

/**
 * The media of a completed download and its save controls; null when it has no file to show.
 * Returns { element, destroy() } (destroy stops playback and lets go of fetched files).
 */
export function createMediaView(download) {
  const files = shownFiles(download)
  if (files.length === 0) return null
  const title = spokenTitle(download, files)
  const element = document.createElement('div')
  element.className = 'media'
  const isAlbum = files.length > 1
  element.dataset.kind = isAlbum ? 'album' : files[0].media
  if (isAlbum) {
    element.append(createAlbum(files, title))
  } else {
    const single = document.createElement('div')
    single.className = 'media-single'
    single.append(createFileView(files[0], title))
    element.append(single)
  }
  const save = createSaveControls(files, title)
  element.append(save.element)
  return {
    element,
    destroy() {
      stopMedia(element)
      save.destroy()
      element.remove()
    },
  }
}
