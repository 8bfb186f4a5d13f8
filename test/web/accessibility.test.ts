// Accessibility of the web UI in real Chromium, at an iPhone's viewport and a desktop's (and the
// phone in dark mode): axe-core finds no violation on the sign-in screen, the signed-in list with
// real completed and failed downloads (a delete confirmation open, the video shown in its card), the settings
// panels (a pairing link shown, cookies stored), and the pairing page before and after the claim;
// and every control on the signed-in page is at least 44 × 44 CSS pixels on the phone.
import assert from 'node:assert/strict'
import { after, before, test, type TestContext } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { auth } from '../helpers/test-app.js'
import { axeViolations } from './axe.js'
import { DESKTOP, launchChromium, PHONE, SIGNED_OUT_CHECK, unexpectedProblems, type WatchedPageOptions } from './browser.js'
import { pageWithDownloads, signIn, submitAndFind, type TestApp } from './downloads-page.js'
import { smallTapTargets } from './settings-page.js'

const COOKIES_TXT = `# Netscape HTTP Cookie File\n.instagram.com\tTRUE\t/\tTRUE\t${Math.floor(Date.now() / 1000) + 86_400 * 300}\tsessionid\tabc123\n`

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

/** The signed-in page as a user sees it with something in it: every panel that can be open, open. */
async function fillThePage(app: TestApp, page: Page, mediaUrl: (path: string) => string): Promise<void> {
  const done = await submitAndFind(page, app, mediaUrl('/video.mp4'))
  await done.card.locator('.badge', { hasText: 'Completed' }).waitFor()
  const broken = await submitAndFind(page, app, mediaUrl('/status/404'))
  await broken.card.locator('.badge', { hasText: 'Failed' }).waitFor()
  await broken.card.getByRole('button', { name: 'Delete' }).click()
  await broken.card.getByLabel('Also delete the video file').waitFor()
  await done.card.locator('.media-box video').waitFor()
  await page.locator('#health-toggle').click()
  await page.locator('#health-checks li').first().waitFor()
  await page.getByLabel("Name for the phone's key").fill('iphone-axe')
  await page.getByRole('button', { name: 'Add a phone', exact: true }).click()
  await page.locator('#pairing-link').waitFor()
  await page.locator('#cookies-list li').first().waitFor()
}

async function walk(t: TestContext, options: WatchedPageOptions & { colorScheme?: 'light' | 'dark' }): Promise<Record<string, string[]>> {
  const { app, media, watched, origin } = await pageWithDownloads(t, browser, options)
  const { page } = watched
  const found: Record<string, string[]> = {}
  // stored before signing in: the panel lists the sites when it opens
  const put = await app.inject({ method: 'PUT', url: '/api/v1/cookies/instagram.com', headers: { ...auth, 'content-type': 'text/plain' }, payload: COOKIES_TXT })
  assert.equal(put.statusCode, 200, put.body)

  await page.goto(origin)
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.locator('#health-toggle[data-health]').waitFor()
  found['sign-in'] = await axeViolations(page)

  await signIn(page, origin)
  await fillThePage(app, page, (path) => media.url(path))
  found['signed in, list and settings'] = await axeViolations(page)
  await page.screenshot({ path: '/tmp/vds-a11y-' + (options.colorScheme ?? 'light') + options.viewport!.width + '.png', fullPage: true })
  if (options.viewport === PHONE.viewport) found['tap targets under 44 px'] = await smallTapTargets(page, 'body')

  const made = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-pair' } })
  await page.goto(`${origin}/pair/${made.json().code}`)
  await page.getByRole('button', { name: 'Get my key' }).waitFor()
  found['pairing page'] = await axeViolations(page)
  await page.getByRole('button', { name: 'Get my key' }).click()
  await page.locator('#fields:not([hidden])').waitFor()
  found['pairing page, key shown'] = await axeViolations(page)

  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK]), [])
  return found
}

const nothingFound = (found: Record<string, string[]>) => Object.fromEntries(Object.keys(found).map((where) => [where, []]))

test('phone 390×844: no axe violations anywhere, every control at least 44 × 44 px', { timeout: 120_000 }, async (t) => {
  const found = await walk(t, PHONE)
  assert.deepEqual(found, nothingFound(found))
})

test('desktop 1280×800: no axe violations anywhere', { timeout: 120_000 }, async (t) => {
  const found = await walk(t, DESKTOP)
  assert.deepEqual(found, nothingFound(found))
})

test('phone in dark mode: no axe violations (contrast of the dark palette)', { timeout: 120_000 }, async (t) => {
  const found = await walk(t, { ...PHONE, colorScheme: 'dark' })
  assert.deepEqual(found, nothingFound(found))
})
