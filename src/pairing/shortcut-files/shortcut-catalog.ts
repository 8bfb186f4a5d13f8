// The Shortcuts the pairing page can offer as files, and their unsigned property lists.
import { build } from 'plist'
import type { PlistObject } from './workflow-values.js'
import { buildDownloadVideo, DOWNLOAD_VIDEO } from './download-video.js'
import { buildSaveToPhotos, SAVE_TO_PHOTOS } from './save-to-photos.js'

export interface ShortcutFile {
  /** its part of the download path: /pair/{code}/shortcuts/{slug}.shortcut */
  slug: string
  /** the name the Shortcut gets on the phone (Shortcuts takes it from the file name) */
  name: string
  build(serverUrl: string): PlistObject
}

export const SHORTCUT_FILES: readonly ShortcutFile[] = [
  { slug: 'download-video', name: DOWNLOAD_VIDEO, build: buildDownloadVideo },
  { slug: 'save-to-photos', name: SAVE_TO_PHOTOS, build: buildSaveToPhotos },
]

/** The XML property list `shortcuts sign` takes as input, for this server's URL (no trailing slash). */
export function unsignedShortcut(file: ShortcutFile, serverUrl: string): string {
  return build(file.build(serverUrl.replace(/\/+$/, '')))
}
