// What the page says about downloads as they change, with real downloads (worker, yt-dlp, the
// loopback media server) in real Chromium: the form's line follows the link it sent and never stays
// at a stale "Queued.", and when the page opens a new event stream itself it resumes from the last
// event id it saw, so what happened while it had none is shown without a reload.
import assert from 'node:assert/strict'
import { after, before, test, type TestContext } from 'node:test'
import type { Browser, Page, Request } from 'playwright-core'
import { ADMIN_KEY, auth } from '../helpers/test-app.js'
import { enterKey, launchChromium, SIGNED_OUT_CHECK, submitLink, unexpectedProblems, UI_TIMEOUT_MS } from './browser.js'
import { cardOf, pageWithDownloads, signIn, stillSameDocument, submitAndFind, type TestApp } from './downloads-page.js'


let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

async function signedIn(t: TestContext) {
  const built = await pageWithDownloads(t, browser)
  await signIn(built.watched.page, built.origin)
  await built.watched.page.locator('#live-state', { hasText: 'Live updates on' }).waitFor()
  return { ...built, page: built.watched.page }
}

const submitLine = (page: Page) => page.locator('#submit-message').innerText()

async function waitForStored(app: TestApp, id: string, status: string): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT_MS
  while ((await app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json().status !== status) {
    assert.ok(Date.now() < deadline, `${id} never became ${status}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

test('the form\'s line follows the link it sent: "Downloading…" while it runs, gone once it ended', async (t) => {
  const { app, media, watched, page } = await signedIn(t)
  // about 3 s of transfer: long enough to see it running
  media.setSlowRate(Math.ceil(media.largeVideo.size / 3))
  const slowUrl = media.url('/slow.mp4')
  const { card: slow } = await submitAndFind(page, app, slowUrl)
  await slow.locator('.badge', { hasText: 'Downloading' }).waitFor()
  assert.equal(await submitLine(page), 'Downloading…')
  await slow.locator('.badge', { hasText: 'Completed' }).waitFor()
  await page.locator('#submit-message:empty').waitFor({ state: 'attached' })

  // A failing link: once it failed, the card says why and the form says nothing stale.
  const brokenUrl = media.url('/status/404')
  const { card: broken } = await submitAndFind(page, app, brokenUrl)
  await broken.locator('.badge', { hasText: 'Failed' }).waitFor()
  await page.locator('#submit-message:empty').waitFor({ state: 'attached' })

  // Submitting the same link again is about that one: said, and nothing from the last one remains.
  await submitLink(page, slowUrl)
  await page.locator('#submit-message', { hasText: 'Already in the list.' }).waitFor()
  assert.equal(await page.locator('#history-list > li').count(), 2)
  assert.ok(await stillSameDocument(page))
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('a stream the app reopens itself resumes from the last event id: what happened meanwhile is shown', async (t) => {
  const { app, media, watched, page } = await signedIn(t)
  const { id: keptId, card: kept } = await submitAndFind(page, app, media.url('/video.mp4'))
  await kept.locator('.badge', { hasText: 'Completed' }).waitFor()

  // The stream fails for good (503, as when too many are open): the app falls back to polling and
  // opens a new EventSource later, which the test lets through only after the changes below.
  const opened: Request[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/events') opened.push(request)
  })
  let blocked = true
  await page.route('**/api/v1/events*', (route) =>
    blocked
      ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"success":false,"error":{"code":"too_many_event_streams","message":"busy"}}' })
      : route.continue(),
  )
  // as when the tab comes back: the app opens a fresh stream at once
  await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
  await page.locator('#live-state', { hasText: 'Reconnecting' }).waitFor()

  // While the page has no stream: a download sent from elsewhere (the phone) completes, and the one
  // on the page is deleted. Polling only refreshes unfinished cards, so only the stream can tell these.
  const fromPhone = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: media.url('/video.mp4?from=phone') } })
  const phoneId: string = fromPhone.json().download_id
  await waitForStored(app, phoneId, 'completed')
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/downloads/${keptId}`, headers: auth })).statusCode, 200)

  blocked = false
  await page.locator('#live-state', { hasText: 'Live updates on' }).waitFor()
  await cardOf(page, phoneId).locator('.badge', { hasText: 'Completed' }).waitFor()
  await kept.waitFor({ state: 'detached' })
  assert.ok(await stillSameDocument(page), 'shown without a reload')
  const resumedFrom = new URL(opened.at(-1)!.url()).searchParams.get('last_event_id')
  assert.match(resumedFrom ?? '', /^[A-Za-z0-9_-]+-\d+$/, 'the new stream named the last event it saw')

  // Signing in again opens a new stream too, and it also resumes.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await enterKey(page, ADMIN_KEY)
  await page.locator('#live-state', { hasText: 'Live updates on' }).waitFor()
  assert.ok(new URL(opened.at(-1)!.url()).searchParams.get('last_event_id'))
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(
    unexpectedProblems(watched, [SIGNED_OUT_CHECK, '503 GET /api/v1/events']).filter((problem) => !problem.includes('EventSource')),
    [],
  )
})
