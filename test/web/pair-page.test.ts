// The pairing page in real Chromium under the app's strict CSP: the button claims the key once, the
// Shortcut fields are filled in, and "Check connection" proves the key works.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { launchChromium, listenOnLoopback, openWatchedPage } from './browser.js'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

test('pair page: claim, fields with copy buttons, check connection; no CSP violations', { timeout: 60_000 }, async (t) => {
  const { app } = await buildTestApp(t)
  const origin = await listenOnLoopback(app)
  const made = await app.inject({ method: 'POST', url: '/api/v1/pairings', headers: auth, payload: { name: 'iphone-web' } })
  const { code } = made.json() as { code: string }
  const { page, problems, cspViolations, close } = await openWatchedPage(browser)
  t.after(close)
  await page.goto(`${origin}/pair/${code}`)
  await page.getByRole('heading', { name: 'Set up “iphone-web”' }).waitFor()
  await page.getByRole('button', { name: 'Get my key' }).click()
  await page.locator('#fields:not([hidden])').waitFor()
  const key = await page.locator('#f-key').innerText()
  assert.match(key, /^vds_[A-Za-z0-9_-]{43}$/)
  assert.equal(await page.locator('#f-header').innerText(), 'X-API-Key')
  assert.match(await page.locator('#f-submit-url').innerText(), /\/api\/v1\/download$/)
  assert.equal(await page.locator('code[data-fill="key"]').first().innerText(), key, 'the Shortcut steps show the key')
  assert.ok((await page.locator('button.copy').count()) >= 5)
  await page.getByRole('button', { name: 'Check connection' }).click()
  await page.getByText('Connected: the server accepts this key.').waitFor()

  // A reload shows the code as used: the key is never shown twice.
  await page.reload()
  await page.getByText(/already used or has expired/).waitFor()
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(problems.filter((p) => !/410/.test(p)), [])
})
