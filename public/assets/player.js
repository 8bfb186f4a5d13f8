// Plays or saves a finished file. The file route needs the key header, which <video src> cannot
// send, so the whole file is fetched as a blob and shown through an object URL. That is fine for
// what this server downloads (TikTok and Instagram clips are a few MB); a feature-length video would
// sit in the phone's memory while it plays.

/** Shows blob in the item's player; returns a function that hides it and frees the memory. */
export function showInPlayer(playerElement, blob, filename) {
  const video = playerElement.querySelector('video')
  const saveLink = playerElement.querySelector('a')
  const objectUrl = URL.createObjectURL(blob)
  video.src = objectUrl
  saveLink.href = objectUrl
  saveLink.download = filename || 'video.mp4'
  playerElement.hidden = false
  return () => {
    video.pause()
    video.removeAttribute('src')
    video.load()
    saveLink.removeAttribute('href')
    playerElement.hidden = true
    URL.revokeObjectURL(objectUrl)
  }
}
