// The two Shortcuts as step lists, for the pairing page (docs/ios-setup.md says the same in prose).
// `{submit_url}`, `{status_url}` and `{key}` are filled in by the page once the key is claimed.

export interface ShortcutGuide {
  name: string
  purpose: string
  steps: string[]
}

export const SHORTCUT_GUIDES: readonly ShortcutGuide[] = [
  {
    name: 'Download Video',
    purpose: 'Queue a shared link and confirm it is stored.',
    steps: [
      'Shortcuts → + → name it "Download Video". In its details turn on Show in Share Sheet; set Receive to URLs, and If there\'s no input to Stop and Respond.',
      'Add "Get Contents of URL". URL: {submit_url}',
      'Show More → Method: POST.',
      'Headers → Add new header: Key X-API-Key, Value {key}',
      'Request Body: JSON → Add new field → Text: Key url, Value: the Shortcut Input variable (long-press, pick it; do not type it).',
      'Add "Get Dictionary Value": Value for key message in Contents of URL, then "Show Notification" with that value.',
    ],
  },
  {
    name: 'Save to Photos',
    purpose: 'Queue a shared link, wait until the video is downloaded, and save every file to Photos.',
    steps: [
      'Shortcuts → + → name it "Save to Photos", Show in Share Sheet, Receive URLs (as above).',
      'Add "Get Contents of URL": URL {submit_url}, Method POST, header X-API-Key {key}, JSON body url = Shortcut Input.',
      'Add "Get Dictionary Value": Value for key download_id in Contents of URL. Add "Set Variable": id.',
      'Add "Repeat 10 times". Inside it: "Get Contents of URL", URL {status_url}[id]?wait=60 (put the id variable where [id] stands), Method GET, header X-API-Key {key}. Each request waits up to 60 s and answers as soon as the download ends, so after that the other rounds answer at once.',
      'Still inside the repeat: "Set Variable" download to Contents of URL. End Repeat.',
      'Add "Get Dictionary Value": status in download. Add "If" status is not completed: "Show Notification" with error_message of download, then "Stop This Shortcut". End If.',
      'Add "Get Dictionary Value": files in download. Add "Repeat with Each" item in files (an album has several). Inside: "Get Dictionary Value" file_url in Repeat Item; "Get Contents of URL" with that file_url (no header: the link is signed); "Save to Photo Album", album Recents.',
      'End Repeat. Optionally "Show Notification": Saved to Photos.',
    ],
  },
]
