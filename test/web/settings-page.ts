// Helpers for the settings panels' browser tests: reading a QR code the way a phone camera would
// (from the pixels Chromium drew), and finding tap targets smaller than 44 × 44 CSS pixels.
import type { Browser, Locator, Page } from 'playwright-core'
import jsQRModule from 'jsqr'

// jsqr is CommonJS whose module.exports is the function itself; its types describe only .default.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default

/** The smallest tap target Apple's guidelines allow, in CSS pixels. */
export const MIN_TAP_PX = 44

// Browser code as text: the project's tsconfig has no DOM lib.
const PIXELS_OF_PNG = `async (dataUrl) => {
  const image = new Image()
  image.src = dataUrl
  await image.decode()
  const canvas = document.createElement('canvas')
  canvas.width = image.naturalWidth
  canvas.height = image.naturalHeight
  const context = canvas.getContext('2d')
  context.drawImage(image, 0, 0)
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
  let binary = ''
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000))
  return { width: canvas.width, height: canvas.height, rgba: btoa(binary) }
}`

/** An expression that calls the function text with one JSON argument (page.evaluate runs strings as expressions). */
const callWith = (fn: string, arg: unknown) => `(${fn})(${JSON.stringify(arg)})`

/**
 * Screenshots `element` as shown on the page and decodes it with jsQR. The PNG becomes RGBA pixels
 * in a blank page of its own (no CSP there, and the app's page stays untouched).
 */
export async function decodeQrOnScreen(browser: Browser, element: Locator): Promise<string | null> {
  const png = await element.screenshot({ animations: 'disabled' })
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const pixels = await page.evaluate<{ width: number; height: number; rgba: string }>(callWith(PIXELS_OF_PNG, `data:image/png;base64,${png.toString('base64')}`))
    const rgba = new Uint8ClampedArray(Buffer.from(pixels.rgba, 'base64'))
    return jsQR(rgba, pixels.width, pixels.height)?.data ?? null
  } finally {
    await context.close()
  }
}

const SMALL_TARGETS = `([root, min]) => [...document.querySelectorAll(root + ' :is(button, input, select, textarea, a[href], summary, [role="button"], [tabindex]:not([tabindex="-1"]))')]
  .filter((el) => el.checkVisibility())
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([, box]) => box.width < min || box.height < min)
  .map(([el, box]) => (el.id || el.textContent.trim() || el.tagName) + ' ' + Math.round(box.width) + 'x' + Math.round(box.height))`

/** Visible buttons, inputs, selects, links and other focusable controls under `root` that are smaller than 44 × 44 px. */
export function smallTapTargets(page: Page, root: string): Promise<string[]> {
  return page.evaluate<string[]>(callWith(SMALL_TARGETS, [root, MIN_TAP_PX]))
}
