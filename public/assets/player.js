// The elements that show one file of a finished download, straight from its signed file_url: that
// link works without a key or cookie, so the browser streams a video with Range requests like any
// other (nothing is copied into page memory) and Safari, <video> and <img> need no header.
//
// No poster and no site thumbnail: a video's own first frame is its thumbnail (preload="metadata").
// The download's thumbnail_url points at the site's CDN: loading it would be a third-party request
// from the page (telling that site who looks at the list), its links often expire, and an http one
// is refused by the CSP. Everything shown here comes from this server (docs/ios-setup.md, "The web app").

const NOUNS = { video: 'video', image: 'photo', audio: 'sound' }

/** "video", "photo" or "sound": what a file is called in labels. */
export const nounOf = (file) => NOUNS[file.media] ?? 'file'

/**
 * The src for a file. `#t=0.001` is a media fragment (never sent to the server, so the signature is
 * untouched): iOS Safari draws no first frame with preload="metadata" unless a start time is given.
 */
export function sourceOf(file) {
  return file.media === 'video' ? `${file.file_url}#t=0.001` : file.file_url
}

/** A video or audio element with the player's usual attributes. */
function mediaElement(tag, file, { controls }) {
  const element = document.createElement(tag)
  element.preload = 'metadata'
  element.controls = controls
  if (tag === 'video') {
    // playsinline: an iPhone plays it in the card, not forced into full screen.
    element.playsInline = true
    element.setAttribute('playsinline', '')
    if (file.width && file.height) {
      element.width = file.width
      element.height = file.height
    }
  }
  element.src = sourceOf(file)
  return element
}

/**
 * The element that shows a file at full size: a <video controls>, an <img> or an <audio controls>.
 * label is the accessible name (the title, and "photo 2 of 5" in an album).
 */
export function createFileView(file, label) {
  if (file.media === 'image') {
    const img = document.createElement('img')
    img.alt = label
    img.decoding = 'async'
    // A long history holds many photos: only those scrolled near are fetched.
    img.loading = 'lazy'
    if (file.width && file.height) {
      img.width = file.width
      img.height = file.height
    }
    img.src = file.file_url
    return img
  }
  const element = mediaElement(file.media === 'audio' ? 'audio' : 'video', file, { controls: true })
  element.setAttribute('aria-label', label)
  return element
}

/** The small picture inside an album tile: the image itself, a video's first frame, or a note. */
export function createTilePreview(file) {
  if (file.media === 'image') {
    const img = document.createElement('img')
    img.alt = ''
    img.decoding = 'async'
    img.loading = 'lazy'
    img.src = file.file_url
    return img
  }
  if (file.media === 'video') {
    const video = mediaElement('video', file, { controls: false })
    // A tile shows a still: no sound, no controls, not focusable (the tile button is).
    video.muted = true
    video.tabIndex = -1
    video.setAttribute('aria-hidden', 'true')
    return video
  }
  const note = document.createElement('span')
  note.className = 'tile-note'
  note.textContent = '♪'
  note.setAttribute('aria-hidden', 'true')
  return note
}

/** Stops a video or audio inside root and lets go of its connection (removing src alone does not). */
export function stopMedia(root) {
  for (const media of root.querySelectorAll('video, audio')) {
    media.pause()
    media.removeAttribute('src')
    media.load()
  }
}
