// /docs in a real browser: Swagger UI opens without a key, renders the operations of /openapi.json,
// and the page reports no CSP violation and no console error.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { buildTestApp, idleProbes } from '../helpers/test-app.js'
import { launchChromium, listenOnLoopback, openWatchedPage } from './browser.js'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

test('/docs renders the API without a key and without a CSP error', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(app)
  const { page, problems, cspViolations, close } = await openWatchedPage(browser)
  t.after(close)
  await page.goto(`${origin}/docs`)
  await page.locator('.opblock-summary-path', { hasText: '/api/v1/download' }).first().waitFor()
  await page.locator('#operations-default-submitDownload').waitFor()
  assert.ok((await page.locator('.opblock').count()) >= 19)
  assert.deepEqual(await cspViolations(), [])
  assert.deepEqual(problems, [])
})
