// "This device and server": notifications for this device (every signed-in user), adding a phone
// and site cookies (admin sessions only; the server refuses them to others anyway). The panels
// load when the core UI shows the signed-in screen, which it does by un-hiding #app-section, so
// sign-in and sign-out stay the core's alone.
import { byId } from './dom.js'
import { setUpCookiePanel } from './cookie-panel.js'
import { setUpPairing } from './phone-pairing.js'
import { setUpPushToggle } from './push-toggle.js'
import { settingsApi as api } from './settings-api.js'

const push = setUpPushToggle({
  api,
  elements: { button: byId('push-toggle'), state: byId('push-state'), message: byId('push-message') },
})

const pairing = setUpPairing({
  api,
  elements: {
    form: byId('pairing-form'), name: byId('pairing-name'), error: byId('pairing-error'), result: byId('pairing-result'), qr: byId('pairing-qr'),
    link: byId('pairing-link'), copy: byId('pairing-copy'), done: byId('pairing-done'), expiry: byId('pairing-expiry'), message: byId('pairing-message'),
  },
})

const cookies = setUpCookiePanel({
  api,
  elements: {
    list: byId('cookies-list'), empty: byId('cookies-empty'), form: byId('cookies-form'), site: byId('cookies-site'), file: byId('cookies-file'),
    error: byId('cookies-error'), message: byId('cookies-message'),
  },
})

const settings = byId('settings')
const adminPanels = [byId('pairing-setting'), byId('cookies-setting')]

async function signedIn() {
  void push.refresh()
  let scope = 'submit'
  try {
    scope = (await api.session()).scope
  } catch {
    // Not known: the admin panels stay hidden (and the server would refuse their calls).
  }
  for (const panel of adminPanels) panel.hidden = scope !== 'admin'
  settings.dataset.scope = scope
  if (scope === 'admin') await cookies.refresh()
}

function signedOut() {
  delete settings.dataset.scope
  for (const panel of adminPanels) panel.hidden = true
  pairing.reset()
}

const appSection = byId('app-section')
const follow = () => (appSection.hidden ? signedOut() : void signedIn())
new window.MutationObserver(follow).observe(appSection, { attributes: true, attributeFilter: ['hidden'] })
follow()
