// "Save to Photos": the files of a download handed to the phone's share sheet (Web Share API with
// files), whose "Save Video" / "Save N Items" puts them in Photos, an album all at once. Where a
// browser cannot share files (most desktops), a download link per file instead: the signed link
// with download=1, which the server answers with Content-Disposition: attachment (SPEC §2).
import { attachmentUrl, showMessage } from './dom.js'
import { nounOf } from './player.js'

/** Whether this browser can share files of these names and types (asked before anything is fetched). */
function canShareFiles(files) {
  if (typeof navigator.share !== 'function' || typeof navigator.canShare !== 'function') return false
  try {
    return navigator.canShare({ files: files.map((file) => new File([], file.filename, { type: file.content_type ?? '' })) })
  } catch {
    return false
  }
}

/** One file through its signed link, as a File with the download's name and type. */
async function fetchFile(file) {
  let response
  try {
    response = await fetch(file.file_url)
  } catch {
    throw new Error('Cannot reach the server to get the files; check the connection and try again.')
  }
  if (response.status === 403) throw new Error('The file link has expired: reload the page and try again.')
  if (!response.ok) throw new Error(`Could not get ${file.filename}: the server answered ${response.status}.`)
  const blob = await response.blob()
  return new File([blob], file.filename, { type: file.content_type || blob.type })
}

/**
 * Safari ends a tap's permission to open the share sheet as soon as the page waits on anything, and
 * then refuses (or silently ignores) share(). Where the browser says whether the tap still counts,
 * share at once; otherwise the files are kept and the next tap shares them without waiting.
 */
const tapStillCounts = () => navigator.userActivation?.isActive === true

/** Label of a file's download link: "Save video", or "Save photo 2" in an album. */
function linkLabel(file, position, count) {
  return count > 1 ? `Save ${nounOf(file)} ${position}` : `Save ${nounOf(file)}`
}

function createLinks(files) {
  const list = document.createElement('ul')
  list.className = 'save-links'
  files.forEach((file, i) => {
    const item = document.createElement('li')
    const link = document.createElement('a')
    link.className = 'save-link'
    link.href = attachmentUrl(file.file_url)
    link.download = file.filename
    link.textContent = linkLabel(file, i + 1, files.length)
    item.append(link)
    list.append(item)
  })
  return list
}

/**
 * The save controls for a completed download's files: a "Save to Photos" button where files can be
 * shared, download links otherwise (and after a share that the browser turned down).
 * Returns { element, destroy() }.
 */
export function createSaveControls(files, title) {
  const element = document.createElement('div')
  element.className = 'save'
  const links = createLinks(files)
  // Errors go to a live region of their own, so the card's other messages stay as they are.
  const message = document.createElement('p')
  message.className = 'message'
  message.setAttribute('role', 'status')
  message.setAttribute('aria-live', 'polite')

  if (!canShareFiles(files)) {
    element.append(links, message)
    return { element, destroy() {} }
  }

  links.hidden = true
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'primary save-button'
  const idleLabel = files.length > 1 ? `Save all ${files.length} to Photos` : 'Save to Photos'
  button.textContent = idleLabel
  /** the fetched files, kept until they are shared (a cancelled sheet can be opened again) */
  let prepared = null
  let busy = false
  /** the files came after the tap had run out: the next tap shares them */
  let waitingForTap = false

  async function share() {
    waitingForTap = false
    if (!navigator.canShare({ files: prepared })) {
      showMessage(message, 'This browser cannot share these files: use the links below.', true)
      links.hidden = false
      return
    }
    try {
      await navigator.share({ files: prepared, title })
      prepared = null
      showMessage(message, '')
    } catch (error) {
      // The user closed the share sheet: nothing to say.
      if (error.name === 'AbortError') return showMessage(message, '')
      if (error.name === 'NotAllowedError') return askForTap()
      showMessage(message, `Could not share: ${error.message}`, true)
      links.hidden = false
    }
  }

  function askForTap() {
    waitingForTap = true
    showMessage(message, `${files.length > 1 ? 'The files are' : 'The file is'} ready: tap the button again to save.`)
  }

  button.addEventListener('click', async () => {
    if (busy) return
    busy = true
    button.disabled = true
    try {
      if (prepared) return await share()
      showMessage(message, files.length > 1 ? `Getting ${files.length} files…` : 'Getting the file…')
      button.textContent = 'Getting files…'
      prepared = await Promise.all(files.map(fetchFile))
      showMessage(message, '')
      if (tapStillCounts()) await share()
      else askForTap()
    } catch (error) {
      showMessage(message, error.message, true)
    } finally {
      busy = false
      button.disabled = false
      button.textContent = waitingForTap ? 'Ready: tap to save' : idleLabel
    }
  })

  element.append(button, links, message)
  return {
    element,
    destroy() {
      prepared = null
    },
  }
}
