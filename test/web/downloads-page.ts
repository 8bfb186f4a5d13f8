// The web UI with real downloads: an app with its worker and the loopback media server, a page
// signed in to it, and finding a download's card (it shows the URL until the title is known, so
// the tests look its id up through the API and then wait for the card with that id).
import type { TestContext } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { startMediaServer, type MediaServer } from '../fixtures/media-server.js'
import { ADMIN_KEY, auth, buildTestApp } from '../helpers/test-app.js'
import { enterKey, listenOnLoopback, openWatchedPage, PHONE, submitLink, UI_TIMEOUT_MS, type WatchedPage, type WatchedPageOptions } from './browser.js'

export type TestApp = Awaited<ReturnType<typeof buildTestApp>>['app']

/** Downloads from the loopback media server, retried quickly. */
export const webConfig = { downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [0.2] } }

/** A media server, an app with its worker, and a fresh page (not signed in yet); all closed after the test. */
export async function pageWithDownloads(
  t: TestContext,
  browser: Browser,
  options: WatchedPageOptions = PHONE,
): Promise<{ app: TestApp; media: MediaServer; watched: WatchedPage; origin: string }> {
  const media = await startMediaServer()
  t.after(() => media.close())
  const { app } = await buildTestApp(t, { config: webConfig, startWorker: true })
  const origin = await listenOnLoopback(app)
  const watched = await openWatchedPage(browser, options)
  t.after(watched.close)
  return { app, media, watched, origin }
}

/** Opens the app and signs in with the admin key. */
export async function signIn(page: Page, origin: string): Promise<void> {
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)
  // Set once; a reload would lose it, so it proves every later change came without one.
  await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }))
}

export const stillSameDocument = (page: Page) => page.evaluate(() => 'sameDocument' in globalThis)

/** The id of the newest download whose URL or title contains `url`, once it is stored. */
export async function storedIdOf(app: TestApp, url: string): Promise<string> {
  const deadline = Date.now() + UI_TIMEOUT_MS
  for (;;) {
    const page = await app.inject({ url: `/api/v1/history?q=${encodeURIComponent(url)}`, headers: auth })
    const id: string | undefined = page.json().downloads[0]?.download_id
    if (id) return id
    if (Date.now() > deadline) throw new Error(`${url} was never stored`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The card of download `id`. */
export const cardOf = (page: Page, id: string) => page.locator(`#history-list > li[data-id="${id}"]`)

/** Submits through the form; returns the download's card once it is listed. */
export async function submitAndFind(page: Page, app: TestApp, url: string) {
  await submitLink(page, url)
  const id = await storedIdOf(app, url)
  const card = cardOf(page, id)
  await card.waitFor()
  return { id, card }
}
