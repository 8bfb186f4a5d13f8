// "Notify me on this device": Web Push through the service worker /sw.js. Permission is asked only
// when the button is pressed (browsers ignore, and Safari refuses, a prompt nobody asked for);
// pressing it again turns the notifications off on this device and on the server.
import { showMessage } from './dom.js'

// window.* names: the lint config lists only the globals the core UI uses.
const { atob, navigator } = window

const ON_LABEL = 'Turn off notifications'
const OFF_LABEL = 'Notify me on this device'

/** PushManager.subscribe takes the VAPID key as bytes; the server gives it base64url. */
function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window

export function setUpPushToggle({ api, elements }) {
  const { button, state, message } = elements
  /** the subscription this page knows of; the browser keeps it across loads */
  let subscription = null

  function render() {
    button.textContent = subscription ? ON_LABEL : OFF_LABEL
    button.setAttribute('aria-pressed', subscription ? 'true' : 'false')
    state.textContent = subscription
      ? 'On: this device gets a notification when a download is ready, fails or needs a login.'
      : 'Off: a notification on this device when a download is ready.'
  }

  async function refresh() {
    if (!supported()) {
      state.textContent = window.isSecureContext
        ? 'This browser cannot show notifications from web pages. On an iPhone (iOS 16.4 or later): Share → Add to Home Screen, then open the app from the Home Screen.'
        : 'Notifications need the page to be opened over HTTPS.'
      button.hidden = true
      return
    }
    const registration = await navigator.serviceWorker.getRegistration('/')
    subscription = (await registration?.pushManager.getSubscription()) ?? null
    button.hidden = false
    render()
  }

  async function turnOn() {
    const permission = await window.Notification.requestPermission()
    if (permission !== 'granted') {
      throw new Error('Notifications are blocked for this site: allow them in the browser settings, then try again.')
    }
    const key = await api.pushPublicKey()
    if (!key.enabled) throw new Error('Web Push is turned off on the server (notifications.web_push.enabled).')
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' })
    await navigator.serviceWorker.ready
    const created = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key.public_key) })
    try {
      await api.subscribePush(created.toJSON())
    } catch (err) {
      // A subscription the server does not know would never get a message: undo it.
      await created.unsubscribe().catch(() => false)
      throw err
    }
    subscription = created
    return 'Notifications are on for this device.'
  }

  async function turnOff() {
    const { endpoint } = subscription
    await api.unsubscribePush(endpoint)
    await subscription.unsubscribe().catch(() => false)
    subscription = null
    return 'Notifications are off for this device.'
  }

  button.addEventListener('click', async () => {
    button.disabled = true
    showMessage(message, '')
    try {
      showMessage(message, subscription ? await turnOff() : await turnOn())
    } catch (err) {
      showMessage(message, err.message, true)
    } finally {
      button.disabled = false
      render()
    }
  })

  return { refresh }
}
