// Entry point: signing in and out, the submit form, the history list with live updates, the health pill.
import { api, onUnauthorized } from './api.js'
import { byId, showMessage } from './dom.js'
import { openEventStream } from './event-stream.js'
import { startHealthIndicator } from './health.js'
import { createHistoryList } from './history-list.js'

/** while the event stream is down, active downloads are polled this often */
const POLL_MS = 4000
const SEARCH_DELAY_MS = 300
/** announcements fade after this; the list itself keeps the facts */
const ANNOUNCE_MS = 8000

const announcer = byId('announcer')
let announceTimer = null
function announce(text, isError = false) {
  showMessage(announcer, text, isError)
  clearTimeout(announceTimer)
  announceTimer = setTimeout(() => showMessage(announcer, ''), ANNOUNCE_MS)
}

const health = startHealthIndicator({
  toggle: byId('health-toggle'),
  label: byId('health-label'),
  details: byId('health-details'),
  summary: byId('health-summary'),
  checks: byId('health-checks'),
})

const history = createHistoryList({
  elements: { list: byId('history-list'), count: byId('history-count'), empty: byId('history-empty'), more: byId('load-more') },
  api,
  onError: handleError,
  announce,
  onShown: (download) => submitted.follow(download),
})

// A 401 from any call (the session expired, its key was revoked) brings the sign-in form back.
onUnauthorized((error) => sessionEnded(error.message))

function handleError(error) {
  if (error.status !== 401) announce(error.message, true)
}

// ---- live updates: the event stream, or polling while it is down

let stream = null
let pollTimer = null

function setPolling(on) {
  if (on && !pollTimer) pollTimer = setInterval(() => void history.refreshActive(), POLL_MS)
  if (!on && pollTimer) {
    clearInterval(pollTimer)
    pollTimer = null
  }
}

function onStreamState(state) {
  if (state === 'unauthorized') return sessionEnded()
  const live = state === 'live'
  byId('live-state').textContent = live ? 'Live updates on' : 'Reconnecting… checking every few seconds'
  setPolling(!live)
  // Catch up on what changed while the stream was down.
  if (live) void history.refreshActive()
}

function startLiveUpdates() {
  stream = openEventStream({
    onState: onStreamState,
    onEvent: ({ event, data }) => {
      if (event === 'status') history.onStatusEvent(data)
      else if (event === 'progress') history.onProgressEvent(data)
      // Too much was missed (or the server restarted): the current state of what matters.
      else if (event === 'snapshot') for (const download of data.downloads) history.onStatusEvent(download)
    },
  })
}

function stopLiveUpdates() {
  stream?.stop()
  stream = null
  setPolling(false)
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return
  stream?.reconnectNow()
  void health.check()
})

// ---- signing in and out

const signInSection = byId('signin-section')
const appSection = byId('app-section')
const signInError = byId('signin-error')

function currentFilters() {
  return { status: byId('status-filter').value, q: byId('search-input').value.trim() }
}

function showApp(session) {
  byId('signed-in-as').textContent = session?.name ? `Signed in as ${session.name}` : ''
  signInSection.hidden = true
  appSection.hidden = false
  void history.reload(currentFilters())
  startLiveUpdates()
}

function showSignIn() {
  stopLiveUpdates()
  history.clear()
  submitted.clear()
  appSection.hidden = true
  signInSection.hidden = false
  byId('key-input').focus()
}

function sessionEnded(detail) {
  if (!signInSection.hidden) return
  showSignIn()
  showMessage(signInError, detail ?? 'You were signed out: sign in with a key again.', true)
}

byId('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const input = byId('key-input')
  const candidate = input.value.trim()
  if (!candidate) return showMessage(signInError, 'Paste an API key first.', true)
  const submitButton = event.submitter ?? event.target.querySelector('button')
  submitButton.disabled = true
  showMessage(signInError, '')
  try {
    const session = await api.signIn(candidate)
    input.value = ''
    showApp(session)
  } catch (error) {
    const text = error.status === 401 ? `Key rejected: the server did not accept this API key. ${error.message}` : error.message
    showMessage(signInError, text, true)
    input.select()
  } finally {
    submitButton.disabled = false
  }
})

byId('sign-out').addEventListener('click', async () => {
  try {
    await api.signOut()
  } catch (error) {
    return announce(`Could not sign out: ${error.message}`, true)
  }
  showSignIn()
  showMessage(signInError, '')
  announce('Signed out. This browser no longer holds a session.')
})

// ---- submitting a link

const submitMessage = byId('submit-message')

/**
 * The form's line under the link follows the last submitted download while it waits or runs, and
 * goes once it has ended (its card and the announcement say how): never a stale "Queued.".
 */
const submitted = (() => {
  let id = null
  let clearTimer = null
  const say = (text, isError = false) => {
    clearTimeout(clearTimer)
    showMessage(submitMessage, text, isError)
  }
  return {
    /** A new link is on its way: whatever the form said about the last one is gone. */
    sending() {
      id = null
      say('Sending…')
    },
    accepted(answer) {
      id = answer.download_id
      if (answer.duplicate) {
        // about the existing download, whatever state it is in: said for a while, then gone
        id = null
        say('Already in the list.')
        clearTimer = setTimeout(() => say(''), ANNOUNCE_MS)
      } else {
        say('Queued.')
      }
    },
    follow(download) {
      if (download.download_id !== id) return
      if (download.status === 'pending') return say('Queued.')
      if (download.status === 'downloading') return say('Downloading…')
      id = null
      say('')
    },
    failed(text) {
      id = null
      say(text, true)
    },
    clear() {
      id = null
      say('')
    },
  }
})()

byId('submit-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const input = byId('url-input')
  const url = input.value.trim()
  if (!url) return submitted.failed('Paste a video link first.')
  const submitButton = event.target.querySelector('button')
  submitButton.disabled = true
  submitted.sending()
  try {
    const answer = await api.submit(url)
    input.value = ''
    submitted.accepted(answer)
    // Its card (and the event that may have come first) then moves the line along.
    await history.added(answer.download_id)
  } catch (error) {
    if (error.status !== 401) submitted.failed(error.message)
    else submitted.clear()
  } finally {
    submitButton.disabled = false
  }
})

// "Queued." or the last error belongs to the last link, not to the one being typed.
byId('url-input').addEventListener('input', () => submitted.clear())

// ---- filters and paging

let searchTimer = null
const applyFilters = () => {
  clearTimeout(searchTimer)
  void history.reload(currentFilters())
}
byId('filter-form').addEventListener('submit', (event) => {
  event.preventDefault()
  applyFilters()
})
byId('search-input').addEventListener('input', () => {
  clearTimeout(searchTimer)
  searchTimer = setTimeout(applyFilters, SEARCH_DELAY_MS)
})
byId('status-filter').addEventListener('change', applyFilters)
byId('load-more').addEventListener('click', () => void history.loadMore())

// The cookie is HttpOnly, so whether this browser is signed in is the server's to say.
api.whoAmI().then(showApp, (error) => {
  showSignIn()
  if (error.status !== 401) showMessage(signInError, error.message, true)
})
