// The web UI with real downloads: real worker, real yt-dlp, the loopback media server, a real browser.
// Lists update live from the event stream (or polling when it is down), never by reloading the page.
import assert from 'node:assert/strict'
import { after, before, test, type TestContext } from 'node:test'
import type { Browser } from 'playwright-core'
import { auth } from '../helpers/test-app.js'
import { pageWithDownloads, signIn, stillSameDocument, submitAndFind } from './downloads-page.js'
import {
  launchChromium,
  unexpectedProblems,
  UI_TIMEOUT_MS,
  type StyledElementLike,
  type VideoElementLike,
} from './browser.js'

const SCREENSHOT = '/tmp/vds-ui.png'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

const signedInPage = (t: TestContext) => pageWithDownloads(t, browser)

test('a submitted link is listed, completes live, and plays through its signed link', async (t) => {
  const { app, media, watched, origin } = await signedInPage(t)
  const { page } = watched
  await signIn(page, origin)
  await page.locator('#live-state', { hasText: 'Live updates on' }).waitFor()

  const { card } = await submitAndFind(page, app, media.url('/video.mp4'))
  await card.locator('.badge', { hasText: 'Completed' }).waitFor()
  // "Queued." does not outlive the download it was about.
  await page.locator('#submit-message:empty').waitFor({ state: 'attached' })
  assert.ok(await stillSameDocument(page), 'updated without a reload')
  assert.equal(await card.getByRole('button', { name: 'Cancel' }).isVisible(), false)

  // A completed video is in its card at once, its first frame the thumbnail (no Play button).
  const video = card.locator('.media-single video')
  await video.waitFor()
  const loaded = (el: VideoElementLike) => el.readyState > 0 && el.duration > 0
  await page.waitForFunction(loaded, await video.elementHandle(), { timeout: UI_TIMEOUT_MS })
  assert.match(await video.evaluate((el) => (el as unknown as VideoElementLike).src), /\/api\/v1\/links\/.*sig=/)
  const save = card.getByRole('link', { name: 'Save video' })
  assert.match((await save.getAttribute('href')) ?? '', /\/api\/v1\/links\/.*download=1/)
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('a slow download shows a moving progress bar, is cancelled and deleted from the page', async (t) => {
  const { app, media, watched, origin } = await signedInPage(t)
  const { page } = watched
  await signIn(page, origin)

  // A few items for the screenshot: one completed, one failed, then the slow one running.
  const done = await submitAndFind(page, app, media.url('/video.mp4'))
  await done.card.locator('.badge', { hasText: 'Completed' }).waitFor()
  const broken = await submitAndFind(page, app, media.url('/status/404'))
  await broken.card.locator('.badge', { hasText: 'Failed' }).waitFor()
  assert.notEqual((await broken.card.locator('.error').innerText()).trim(), '', 'the failure says why')
  await broken.card.getByRole('button', { name: 'Retry' }).waitFor()

  media.setSlowRate(100 * 1024)
  const slow = await submitAndFind(page, app, media.url('/slow.mp4'))
  await slow.card.locator('.badge', { hasText: 'Downloading' }).waitFor()
  const fill = slow.card.locator('.progress-fill')
  const fillHandle = await fill.elementHandle()
  const widerThan = ({ el, percent }: { el: StyledElementLike; percent: number }) => Number.parseFloat(el.style.width) > percent
  await page.waitForFunction(widerThan, { el: fillHandle, percent: 0 }, { timeout: UI_TIMEOUT_MS })
  const first = await fill.evaluate((el) => Number.parseFloat((el as unknown as StyledElementLike).style.width))
  await page.waitForFunction(widerThan, { el: fillHandle, percent: first }, { timeout: UI_TIMEOUT_MS })
  assert.ok((await fill.boundingBox())!.width > 0, 'the bar is drawn: the CSP let script set its width')
  assert.match(await slow.card.locator('.progress-text').innerText(), /%.*\/s/)
  assert.match(String(await slow.card.getByRole('progressbar').getAttribute('aria-valuenow')), /^\d+$/, 'the percent is announced')
  await page.screenshot({ path: SCREENSHOT, fullPage: true })

  await slow.card.getByRole('button', { name: 'Cancel' }).click()
  await slow.card.locator('.badge', { hasText: 'Cancelled' }).waitFor()
  assert.equal(await slow.card.locator('.progress').isVisible(), false)
  assert.equal((await app.inject({ url: `/api/v1/status/${slow.id}`, headers: auth })).json().status, 'cancelled')

  await slow.card.getByRole('button', { name: 'Delete' }).click()
  await slow.card.getByLabel('Also delete the video file').check()
  await slow.card.locator('[data-action="confirm-delete"]').click()
  await slow.card.waitFor({ state: 'detached' })
  assert.equal((await app.inject({ url: `/api/v1/status/${slow.id}`, headers: auth })).statusCode, 404)
  assert.ok(await stillSameDocument(page))
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('while the event stream is down, the page polls and still sees the download finish', async (t) => {
  const { app, media, watched, origin } = await signedInPage(t)
  const { page } = watched
  await page.route('**/api/v1/events', (route) => route.abort())
  await signIn(page, origin)
  await page.locator('#live-state', { hasText: 'Reconnecting' }).waitFor()

  const { card } = await submitAndFind(page, app, media.url('/video.mp4'))
  await card.locator('.badge', { hasText: 'Completed' }).waitFor()
  assert.ok(await stillSameDocument(page))
  // Only the blocked stream may complain.
  assert.deepEqual(
    unexpectedProblems(watched).filter((problem) => !problem.includes('net::ERR_FAILED')),
    [],
  )
})
