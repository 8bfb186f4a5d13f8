// "Notify me on this device" in a real browser: the service worker at /sw.js, permission asked only
// on the button, the subscription stored by the server, a real completed download reaching the
// subscription's endpoint as an encrypted, VAPID-signed Web Push request, the service worker showing
// that message as a notification, and "Turn off" forgetting it on both sides.
// Headless Chromium reaches no push service, so only PushManager.prototype.subscribe is replaced:
// it answers a subscription whose endpoint is a loopback receiver and whose keys this test made.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { startMediaServer } from '../fixtures/media-server.js'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { fetchTrusting, makeLoopbackCertificate, startReceiver } from '../notify/receivers.js'
import { decryptPushMessage, makeBrowserSubscription, verifyVapid } from '../notify/web-push-verify.js'
import { enterKey, launchChromium, listenOnLoopback, openWatchedPage, UI_TIMEOUT_MS, unexpectedProblems } from './browser.js'
import { smallTapTargets } from './settings-page.js'

const PUBLIC_URL = 'https://vds.example:8443'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

/** Browser code: the stand-in subscribe, and a count of permission prompts. */
function fakePushService(endpoint: string, keys: { p256dh: string; auth: string }): string {
  const json = JSON.stringify({ endpoint, expirationTime: null, keys })
  return `
    window.__permissionPrompts = 0
    const realRequest = Notification.requestPermission.bind(Notification)
    Notification.requestPermission = (...args) => { window.__permissionPrompts += 1; return realRequest(...args) }
    PushManager.prototype.subscribe = async function (options) {
      const key = new Uint8Array(options.applicationServerKey)
      window.__subscribedWith = { userVisibleOnly: options.userVisibleOnly, key: btoa(String.fromCharCode(...key)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '') }
      const json = ${json}
      return { endpoint: json.endpoint, expirationTime: null, options, toJSON: () => json, unsubscribe: async () => { window.__unsubscribed = true; return true } }
    }
  `
}

test('notify me: the button subscribes, a completed download arrives as Web Push, the worker shows it, turn off unsubscribes', { timeout: 120_000 }, async (t) => {
  const certificate = makeLoopbackCertificate()
  const pushService = await startReceiver(certificate)
  t.after(() => pushService.close())
  const media = await startMediaServer()
  t.after(() => media.close())
  const s = await buildTestApp(t, {
    config: { server: { public_url: PUBLIC_URL }, downloads: { allowed_domains: ['127.0.0.1'] }, notifications: { retry_delays_seconds: [0.2] } },
    notifier: { fetch: fetchTrusting(certificate.cert), sweepMs: 200 },
    startWorker: true,
  })
  s.notifier.start()
  const origin = await listenOnLoopback(s.app)

  const browserKeys = makeBrowserSubscription()
  const endpoint = `${pushService.url}/push/device-1`
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page, cspViolations } = watched
  await page.context().grantPermissions(['notifications'], { origin })
  await page.addInitScript({ content: fakePushService(endpoint, { p256dh: browserKeys.p256dh, auth: browserKeys.auth }) })
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)

  const panel = page.getByRole('group', { name: 'Notifications' })
  const turnOn = panel.getByRole('button', { name: 'Notify me on this device' })
  await turnOn.waitFor()
  assert.equal(await page.evaluate<number>('window.__permissionPrompts'), 0, 'no prompt before the button')
  assert.equal(await page.evaluate<unknown>('navigator.serviceWorker.controller'), null, 'no worker before the button')
  await turnOn.click()
  await panel.getByRole('status').filter({ hasText: 'Notifications are on for this device.' }).waitFor()
  assert.equal(await page.evaluate<number>('window.__permissionPrompts'), 1)
  const serverKey = (await s.app.inject({ url: '/api/v1/push/public-key', headers: auth })).json() as { public_key: string }
  assert.deepEqual(await page.evaluate<unknown>('window.__subscribedWith'), { userVisibleOnly: true, key: serverKey.public_key })
  assert.equal(await page.evaluate<string>('navigator.serviceWorker.getRegistration().then((r) => r.scope)'), `${origin}/`)
  const stored = s.notifications.listSubscriptions()
  assert.equal(stored.length, 1)
  assert.deepEqual({ endpoint: stored[0]!.endpoint, p256dh: stored[0]!.p256dh, auth: stored[0]!.auth }, { endpoint, p256dh: browserKeys.p256dh, auth: browserKeys.auth })
  await panel.getByRole('button', { name: 'Turn off notifications', pressed: true }).waitFor()
  assert.deepEqual(await smallTapTargets(page, '#settings'), [])

  // A real download completes; its notification reaches the push endpoint, signed and encrypted.
  const submitted = await s.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: media.url('/video.mp4') } })
  assert.equal(submitted.statusCode, 201, submitted.body)
  const id = (submitted.json() as { download_id: string }).download_id
  const [push] = await pushService.waitFor(1, 60_000)
  assert.equal(push!.path, '/push/device-1')
  assert.equal(verifyVapid(push!.headers.authorization, serverKey.public_key).aud, pushService.url)
  const payload = decryptPushMessage(push!.body, browserKeys)
  const message = JSON.parse(payload) as { event: string; download_id: string; title: string; body: string; url: string }
  const done = (await s.app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json() as { status: string; file_url: string }
  assert.equal(done.status, 'completed')
  assert.deepEqual({ event: message.event, download_id: message.download_id, url: message.url }, { event: 'completed', download_id: id, url: done.file_url })
  assert.ok(message.url.startsWith(`${PUBLIC_URL}/`), message.url)

  // The browser's push service would hand exactly these bytes, decrypted, to the worker.
  const cdp = await page.context().newCDPSession(page)
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((registration) => registration.scopeURL === `${origin}/` && !registration.isDeleted)
      if (ours) resolve(ours.registrationId)
    })
  })
  await cdp.send('ServiceWorker.enable')
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: await registrationId, data: payload })
  // waitForFunction takes a promise for truthy at once, so the worker's notifications are polled.
  const notifications = 'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url })))'
  let shown: unknown[] = []
  for (const deadline = Date.now() + UI_TIMEOUT_MS; shown.length === 0 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    shown = await page.evaluate<unknown[]>(notifications)
  }
  assert.deepEqual(shown, [{ title: message.title, body: message.body, tag: id, url: message.url }])

  await panel.getByRole('button', { name: 'Turn off notifications' }).click()
  await panel.getByRole('status').filter({ hasText: 'Notifications are off for this device.' }).waitFor()
  assert.deepEqual(s.notifications.listSubscriptions(), [])
  assert.equal(await page.evaluate<boolean>('window.__unsubscribed'), true)
  await panel.getByRole('button', { name: 'Notify me on this device', pressed: false }).waitFor()
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('notifications refused by the browser: the button says so and nothing is stored', async (t) => {
  const s = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(s.app)
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page } = watched
  await page.addInitScript({ content: `Notification.requestPermission = async () => 'denied'` })
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)
  const panel = page.getByRole('group', { name: 'Notifications' })
  await panel.getByRole('button', { name: 'Notify me on this device' }).click()
  const said = panel.getByRole('status').filter({ hasText: 'Notifications are blocked for this site' })
  await said.waitFor()
  assert.ok(await said.evaluate((el) => el.classList.contains('error')))
  assert.deepEqual(s.notifications.listSubscriptions(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('the service worker is served without a key, as JavaScript, from the root (scope /, no Service-Worker-Allowed)', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(app)
  const res = await fetch(`${origin}/sw.js`)
  assert.equal(res.status, 200)
  assert.match(String(res.headers.get('content-type')), /^(text|application)\/javascript\b/)
  assert.equal(res.headers.get('service-worker-allowed'), null)
  assert.match(await res.text(), /addEventListener\('push'/)
})
