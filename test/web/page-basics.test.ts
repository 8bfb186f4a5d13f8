// The web UI's first run in a real browser: served without a key under the app's strict CSP, the
// key prompt (a wrong key is said to be rejected), and the API's own message for a refused link.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { enterKey, launchChromium, listenOnLoopback, openWatchedPage, SIGNED_OUT_CHECK, submitKey, submitLink, unexpectedProblems } from './browser.js'

const webConfig = { downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [0.2] } }

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

test('the page and its assets load without a key, with no console errors or CSP violations', async (t) => {
  const { app } = await buildTestApp(t, { config: webConfig, startWorker: true })
  const origin = await listenOnLoopback(app)
  for (const asset of ['/', '/assets/app.js', '/assets/app.css', '/assets/icon.svg']) {
    assert.equal((await fetch(`${origin}${asset}`)).status, 200, asset)
  }
  // Serving the UI made nothing else public.
  for (const url of ['/api/v1/history', '/assets/', '/package.json', '/index.html/../src/cli.ts']) {
    assert.equal((await app.inject({ url })).statusCode, 401, url)
  }

  const watched = await openWatchedPage(browser)
  const { page, cspViolations } = watched
  t.after(watched.close)
  await page.goto(origin)
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.locator('#health-toggle[data-health="healthy"], #health-toggle[data-health="degraded"]').waitFor()
  await page.getByRole('button', { name: /healthy|degraded/i }).click()
  await page.locator('#health-checks li').first().waitFor()
  assert.match(await page.locator('#health-summary').innerText(), /^Version /)
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})

test('a wrong key is refused as an alert; the right one signs in with an HttpOnly cookie, and signing out ends it', async (t) => {
  const { app } = await buildTestApp(t, { config: webConfig, startWorker: true })
  const origin = await listenOnLoopback(app)
  const watched = await openWatchedPage(browser)
  const { page } = watched
  t.after(watched.close)
  await page.goto(origin)
  await submitKey(page, 'not-the-key')
  const alert = page.getByRole('alert').filter({ hasText: 'Key rejected' })
  await alert.waitFor()
  assert.ok(await alert.evaluate((el) => el.classList.contains('error')), 'styled as an error')
  assert.equal(await page.locator('#app-section').isVisible(), false)

  // The right key then works; the page keeps no key, the cookie is out of script's reach, and a
  // reload is still signed in (the browser sent the cookie).
  await enterKey(page, ADMIN_KEY)
  assert.equal(await page.evaluate<number>('localStorage.length + sessionStorage.length'), 0)
  assert.equal(await page.evaluate<string>('document.cookie'), '')
  const [cookie] = await page.context().cookies()
  assert.equal(cookie?.name, '__Host-vds_session')
  assert.equal(cookie?.httpOnly, true)
  await page.reload()
  await page.locator('#app-section').waitFor({ state: 'visible' })
  assert.equal(await page.locator('#signin-section').isVisible(), false)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  assert.deepEqual(await page.context().cookies(), [])
  await page.reload()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  // Only the refused key and the signed-out checks of who is signed in answered 401.
  assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK, '401 POST /api/v1/session']), [])
})

test('a link the server refuses shows the API error message', async (t) => {
  const { app } = await buildTestApp(t, { config: webConfig, startWorker: true })
  const origin = await listenOnLoopback(app)
  const refused = 'https://example.com/some/video'
  const direct = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: refused } })
  assert.equal(direct.statusCode, 422)
  assert.equal(direct.json().error.code, 'unsupported_site')

  const watched = await openWatchedPage(browser)
  const { page } = watched
  t.after(watched.close)
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)
  await submitLink(page, refused)
  const message = page.locator('#submit-message')
  await message.filter({ hasText: direct.json().error.message }).waitFor()
  assert.ok(await message.evaluate((el) => el.classList.contains('error')))
  assert.equal(await page.getByLabel('Video link', { exact: true }).inputValue(), refused, 'the link stays for fixing')
  assert.equal(await page.locator('#history-list > li').count(), 0)
  assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK, '422 POST /api/v1/download']), [])
})

test('the history pages with "load more", searches and filters by status', async (t) => {
  // No worker: the links stay pending, so the list is exactly what was stored.
  const { app } = await buildTestApp(t, { config: webConfig, probes: idleProbes })
  const origin = await listenOnLoopback(app)
  for (let i = 1; i <= 25; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: `http://127.0.0.1:9/clip-${i}.mp4` } })
    assert.equal(res.statusCode, 201, res.body)
  }
  const watched = await openWatchedPage(browser)
  const { page } = watched
  t.after(watched.close)
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)
  const cards = page.locator('#history-list > li')
  await page.locator('#history-count', { hasText: '20 of 25' }).waitFor()
  assert.match(await cards.first().innerText(), /clip-25\.mp4/, 'newest first')

  await page.getByRole('button', { name: 'Load more' }).click()
  await page.locator('#history-count', { hasText: '25 of 25' }).waitFor()
  assert.equal(await cards.count(), 25)
  assert.equal(await page.getByRole('button', { name: 'Load more' }).isVisible(), false)

  await page.getByRole('searchbox', { name: 'Search title or link' }).fill('clip-7.')
  await page.locator('#history-count', { hasText: '1 of 1' }).waitFor()
  assert.match(await cards.first().innerText(), /clip-7\.mp4/)

  await page.getByRole('searchbox', { name: 'Search title or link' }).fill('')
  await page.getByLabel('Status', { exact: true }).selectOption('completed')
  await page.locator('#history-empty').waitFor()
  assert.equal(await cards.count(), 0)
  assert.deepEqual(unexpectedProblems(watched), [])
})
