// The API key, kept in localStorage so the phone asks only once. Safari in private mode (older
// versions) throws on localStorage writes; the key then lives for this page load only.
const STORAGE_KEY = 'vds.api_key'

let inMemory = null

export function loadKey() {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? inMemory
  } catch {
    return inMemory
  }
}

export function saveKey(key) {
  inMemory = key
  try {
    localStorage.setItem(STORAGE_KEY, key)
  } catch {
    // kept in memory only
  }
}

export function forgetKey() {
  inMemory = null
  try {
    localStorage.removeItem(STORAGE_KEY)
  } catch {
    // nothing stored
  }
}
