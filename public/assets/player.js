// Plays a finished file in its card. The src is the download's signed file_url: it works without a
// key or cookie, so the browser streams it with Range requests like any video (no copy in memory).

import { attachmentUrl } from './dom.js'

/** Shows url in the item's player; returns a function that stops and hides it. */
export function showInPlayer(playerElement, url) {
  const video = playerElement.querySelector('video')
  video.src = url
  playerElement.querySelector('a').href = attachmentUrl(url)
  playerElement.hidden = false
  return () => {
    video.pause()
    video.removeAttribute('src')
    video.load()
    playerElement.hidden = true
  }
}
