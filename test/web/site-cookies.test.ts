// Cookies for sites that need a login, in a real browser: an admin uploads a real Netscape
// cookies.txt through the file input, sees the site with its count and a warning for cookies that
// expire within 3 days, gets the server's 422 message as an alert for a bad file, and removes them.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { enterKey, launchChromium, listenOnLoopback, openWatchedPage, SIGNED_OUT_CHECK, unexpectedProblems } from './browser.js'
import { smallTapTargets } from './settings-page.js'

const SCREENSHOT = '/tmp/vds-site-cookies.png'
const DAY_S = 24 * 60 * 60

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

/** What a browser extension exports: the header, tab-separated fields, another site's cookie too. */
function cookiesTxt(now: number): string {
  const soon = Math.floor(now / 1000) + 2 * DAY_S
  const later = Math.floor(now / 1000) + 300 * DAY_S
  return [
    '# Netscape HTTP Cookie File',
    '# This is a generated file! Do not edit.',
    '',
    `.instagram.com\tTRUE\t/\tTRUE\t${later}\tsessionid\t123456%3AabcDEF%3A28`,
    `.instagram.com\tTRUE\t/\tTRUE\t${soon}\tcsrftoken\tQ1w2E3r4T5y6U7i8`,
    `#HttpOnly_.instagram.com\tTRUE\t/\tTRUE\t${later}\tds_user_id\t123456`,
    `.tiktok.com\tTRUE\t/\tTRUE\t${later}\tsessionid\tffff0000`,
    '',
  ].join('\n')
}

test('an admin uploads cookies.txt, sees the expiry warning, a bad file is an alert, and removes the site', async (t) => {
  const s = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(s.app)
  const good = path.join(s.dir, 'cookies.txt')
  writeFileSync(good, cookiesTxt(Date.now()))
  const bad = path.join(s.dir, 'bookmarks.txt')
  writeFileSync(bad, 'https://www.instagram.com/\tmy bookmarks\n')
  const refused = await s.app.inject({ method: 'PUT', url: '/api/v1/cookies/instagram.com', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'https://www.instagram.com/\tmy bookmarks\n' })
  assert.equal(refused.statusCode, 422)
  assert.equal(refused.json().error.code, 'invalid_cookies')

  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page, cspViolations } = watched
  await page.goto(origin)
  await enterKey(page, ADMIN_KEY)
  const panel = page.getByRole('group', { name: 'Cookies for sites that need a login' })
  await panel.getByText('No cookies stored.').waitFor()

  await panel.getByLabel('Site', { exact: true }).fill('instagram.com')
  await panel.getByLabel('cookies.txt file').setInputFiles(good)
  await panel.getByRole('button', { name: 'Upload cookies' }).click()
  await panel.getByRole('status').filter({ hasText: 'Stored 3 cookies for instagram.com. 1 of other sites left out.' }).waitFor()
  const row = panel.locator('li[data-site="instagram.com"]')
  await row.waitFor()
  assert.match(await row.innerText(), /instagram\.com · 3 cookies · the first expires .+ \(in 2 days\): upload fresh cookies soon/)
  assert.equal(await row.locator('.warn').count(), 1, 'the warning is marked as one')
  const listed = (await s.app.inject({ url: '/api/v1/cookies', headers: auth })).json() as { sites: Array<{ site: string; cookies: number }> }
  assert.deepEqual(listed.sites.map(({ site, cookies }) => ({ site, cookies })), [{ site: 'instagram.com', cookies: 3 }])
  assert.equal(await panel.getByLabel('Site', { exact: true }).inputValue(), '', 'the form is cleared for the next site')
  assert.deepEqual(await smallTapTargets(page, '#settings'), [])
  await page.screenshot({ path: SCREENSHOT, fullPage: true })

  // A file that is not cookies.txt: the server's own reason, as an alert; what was stored stays.
  await panel.getByLabel('Site', { exact: true }).fill('instagram.com')
  await panel.getByLabel('cookies.txt file').setInputFiles(bad)
  await panel.getByRole('button', { name: 'Upload cookies' }).click()
  const alert = panel.getByRole('alert')
  await alert.filter({ hasText: refused.json().error.message }).waitFor()
  assert.equal(await row.isVisible(), true)

  await panel.getByRole('button', { name: 'Remove the cookies for instagram.com' }).click()
  await panel.getByRole('status').filter({ hasText: 'The cookies for instagram.com were removed.' }).waitFor()
  await panel.getByText('No cookies stored.').waitFor()
  assert.equal(await row.count(), 0)
  assert.equal((await s.app.inject({ url: '/api/v1/cookies/instagram.com', headers: auth })).statusCode, 404)
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK, '422 PUT /api/v1/cookies/instagram.com']), [])
})
