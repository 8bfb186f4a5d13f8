// A real headless Chromium for the web UI tests, and a page that records what a user would not see:
// console errors, uncaught exceptions and Content-Security-Policy violations.
import { chromium, type Browser, type Page } from 'playwright-core'
import type { BuiltApp } from '../../src/http/app.js'

/** Playwright's own waits; every one in these tests is bounded by this. */
export const UI_TIMEOUT_MS = 20_000

/** Playwright gives the browser a fresh temporary profile and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: UI_TIMEOUT_MS,
  })
}

/** Listens on a loopback port (closed by buildTestApp's own cleanup) and returns its origin. */
export async function listenOnLoopback(app: BuiltApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

/** The DOM shapes the tests read inside the page; the project's tsconfig has no DOM lib (it is server code). */
export interface VideoElementLike {
  src: string
  readyState: number
  duration: number
}
export interface StyledElementLike {
  style: { width: string }
}

// Browser code as text for the same reason; it runs before any of the page's own scripts.
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = []
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ': ' + event.blockedURI)
  })
`

export interface WatchedPage {
  page: Page
  /** console errors and uncaught exceptions, in order */
  problems: string[]
  /** answers of this server that were not 2xx/3xx, as "401 GET /api/v1/session" (no query) */
  failedRequests: string[]
  /** CSP violations the page reported ("directive: blocked URI") */
  cspViolations(): Promise<string[]>
  close(): Promise<void>
}

/** An iPhone's viewport (the default) or a laptop's. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const
export const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false } as const

/** One of the two devices, optionally in a given colour scheme. */
export type WatchedPageOptions = (typeof PHONE | typeof DESKTOP) & { colorScheme?: 'light' | 'dark' }

/** A fresh context (empty localStorage) at a phone's viewport, or the one given. */
export async function openWatchedPage(browser: Browser, device: WatchedPageOptions = PHONE): Promise<WatchedPage> {
  const context = await browser.newContext({ ...device, viewport: { ...device.viewport } })
  context.setDefaultTimeout(UI_TIMEOUT_MS)
  // Playwright's init scripts run outside the page's CSP, so recording violations needs no CSP change.
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  const failedRequests: string[] = []
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`)
  })
  return {
    page,
    problems,
    failedRequests,
    cspViolations: () => page.evaluate<string[]>('window.__cspViolations'),
    close: () => context.close(),
  }
}

/** A signed-out page asks who it is signed in as (the cookie is HttpOnly) and gets this answer. */
export const SIGNED_OUT_CHECK = '401 GET /api/v1/session'

/**
 * Chromium logs every non-2xx fetch as a console error. The page's problems once the failed requests the test expected are set aside: each failed request
 * must be one of `expected` (else it is a problem itself), and Chromium's console line for its
 * status is then not counted.
 */
export function unexpectedProblems(watched: Pick<WatchedPage, 'problems' | 'failedRequests'>, expected: readonly string[] = [SIGNED_OUT_CHECK]): string[] {
  const unexpected = watched.failedRequests.filter((request) => !expected.includes(request)).map((request) => `request: ${request}`)
  const statuses = new Set(watched.failedRequests.filter((request) => expected.includes(request)).map((request) => request.split(' ')[0]))
  return [...unexpected, ...watched.problems.filter((problem) => ![...statuses].some((status) => problem.includes(`the server responded with a status of ${status}`)))]
}

/** Types the key into the sign-in form and submits it. */
export async function submitKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key', { exact: true }).fill(key)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

/** Signs in with the key and waits for the main screen. */
export async function enterKey(page: Page, key: string): Promise<void> {
  await submitKey(page, key)
  await page.locator('#app-section').waitFor({ state: 'visible' })
}

/** Pastes a link into the form and submits it. */
export async function submitLink(page: Page, url: string): Promise<void> {
  await page.getByLabel('Video link', { exact: true }).fill(url)
  await page.getByRole('button', { name: 'Download', exact: true }).click()
}

/** The history card of the download whose title or URL contains `text`. */
export const itemFor = (page: Page, text: string) => page.locator('#history-list > li').filter({ hasText: text })
