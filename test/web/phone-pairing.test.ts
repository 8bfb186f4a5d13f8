// "Add a phone" in a real browser at a phone's viewport: an admin makes a pairing link and sees it
// as a QR code that decodes (from Chromium's pixels) to the link, as text that copies, with its
// expiry; the link then opens the phone's page. A submit-scope session never sees the panel.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { addKeyFromAnotherProcess } from '../http/security/helpers.js'
import { enterKey, launchChromium, listenOnLoopback, openWatchedPage, SIGNED_OUT_CHECK, unexpectedProblems } from './browser.js'
import { decodeQrOnScreen, smallTapTargets } from './settings-page.js'

const SCREENSHOT = '/tmp/vds-add-a-phone.png'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

test('an admin adds a phone: the QR code on screen decodes to the pairing link, which copies and opens the phone page', async (t) => {
  const { app, db } = await buildTestApp(t, { probes: idleProbes, config: { server: { public_url: 'https://vds.example:8443' } } })
  const origin = await listenOnLoopback(app)
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page, cspViolations } = watched
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)

  const panel = page.getByRole('group', { name: 'Add a phone' })
  await panel.waitFor()
  await panel.getByLabel("Name for the phone's key").fill('iphone-anna')
  const started = Date.now()
  await panel.getByRole('button', { name: 'Add a phone' }).click()
  const link = page.locator('#pairing-link')
  await link.waitFor()
  const pairUrl = await link.innerText()
  assert.match(pairUrl, /^https:\/\/vds\.example:8443\/pair\/[A-Za-z0-9_-]{32}$/)
  assert.equal(await link.getAttribute('href'), pairUrl)

  // What a camera reads: the pixels Chromium drew for the QR image.
  const qr = panel.getByRole('img', { name: /QR code of the pairing link/ })
  assert.equal(await decodeQrOnScreen(browser, qr), pairUrl)

  // The expiry: 15 minutes from now, said as a local time.
  const expiry = await page.locator('#pairing-expiry').innerText()
  assert.match(expiry, /^Works once, until /)
  const code = pairUrl.split('/').pop()!
  const row = db.prepare('SELECT expires_at FROM pairings WHERE name = ?').get('iphone-anna') as { expires_at: string }
  const minutesLeft = (Date.parse(row.expires_at) - started) / 60_000
  assert.ok(minutesLeft > 14 && minutesLeft <= 15.1, `expires in ${minutesLeft} min`)

  await panel.getByRole('button', { name: 'Copy link' }).click()
  await panel.getByRole('status').filter({ hasText: 'Link copied.' }).waitFor()
  assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), pairUrl)

  assert.deepEqual(await smallTapTargets(page, '#settings'), [])
  await page.screenshot({ path: SCREENSHOT, fullPage: true })

  // The link is the phone's page, still unused (showing the code used nothing).
  const phonePage = await app.inject({ url: `/pair/${code}` })
  assert.equal(phonePage.statusCode, 200)
  assert.match(phonePage.body, /iphone-anna/)

  // Done clears the code from the screen; the same name again is refused with the server's reason.
  await panel.getByRole('button', { name: 'Done' }).click()
  assert.equal(await link.isVisible(), false)
  await panel.getByLabel("Name for the phone's key").fill('iphone-anna')
  await panel.getByRole('button', { name: 'Add a phone' }).click()
  await panel.getByRole('alert').filter({ hasText: 'A key or an open pairing named "iphone-anna" exists' }).waitFor()
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK, '409 POST /api/v1/pairings']), [])
})

test('a submit-scope session sees no "Add a phone" and no cookies panel', async (t) => {
  const { app, config } = await buildTestApp(t, { probes: idleProbes })
  const phoneKey = addKeyFromAnotherProcess(config, 'phone', 'submit')
  const origin = await listenOnLoopback(app)
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page } = watched
  await page.goto(origin)
  await enterKey(page, phoneKey)
  await page.getByRole('group', { name: 'Notifications' }).waitFor()
  // The panels follow the scope GET /api/v1/session answered.
  await page.locator('#settings[data-scope="submit"]').waitFor({ state: 'attached' })
  assert.equal(await page.getByRole('group', { name: 'Add a phone' }).isVisible(), false)
  assert.equal(await page.getByRole('group', { name: /Cookies/ }).isVisible(), false)
  // And the server agrees: pairing needs an admin key.
  const refused = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: { 'x-api-key': phoneKey }, payload: { name: 'x' } })
  assert.equal(refused.statusCode, 403)
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'x' } })).statusCode, 201)
  assert.deepEqual(unexpectedProblems(watched), [])
})
