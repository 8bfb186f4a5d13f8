// The web app on the home screen: manifest, icons, theme colour and the iOS tags, all served
// without a key with the right types, the PNGs really the sizes they claim (read from the IHDR),
// and Chromium's own manifest parser finding nothing wrong.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { buildTestApp, idleProbes } from '../helpers/test-app.js'
import { launchChromium, listenOnLoopback, openWatchedPage, unexpectedProblems } from './browser.js'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the signature). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'a PNG signature')
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/** GET without any key or cookie; the body as bytes. */
async function open(origin: string, path: string, contentType: RegExp): Promise<Buffer> {
  const response = await fetch(`${origin}${path}`)
  assert.equal(response.status, 200, path)
  assert.match(response.headers.get('content-type') ?? '', contentType, path)
  return Buffer.from(await response.arrayBuffer())
}

interface ManifestIcon {
  src: string
  sizes: string
  type: string
  purpose: string
}

test('manifest, icons, apple-touch-icon and favicon are served without a key, as what they claim to be', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(app)

  const manifest = JSON.parse((await open(origin, '/manifest.webmanifest', /^application\/manifest\+json/)).toString())
  assert.equal(manifest.display, 'standalone')
  assert.equal(manifest.start_url, '/')
  for (const field of ['name', 'short_name', 'theme_color', 'background_color']) assert.ok(manifest[field], field)
  const icons = manifest.icons as ManifestIcon[]
  for (const [size, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
    assert.ok(icons.some((icon) => icon.sizes === size && icon.purpose === purpose), `${size} ${purpose}`)
  }
  for (const icon of icons) {
    const { width, height } = pngSize(await open(origin, icon.src, /^image\/png/))
    assert.equal(`${width}x${height}`, icon.sizes, icon.src)
  }

  assert.deepEqual(pngSize(await open(origin, '/apple-touch-icon.png', /^image\/png/)), { width: 180, height: 180 })
  const ico = await open(origin, '/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/)
  assert.equal(ico.readUInt16LE(0), 0)
  assert.equal(ico.readUInt16LE(2), 1, 'an icon resource')
  const count = ico.readUInt16LE(4)
  const sizes = []
  for (let i = 0; i < count; i++) {
    const entry = 6 + 16 * i
    const image = ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8))
    const { width } = pngSize(image)
    assert.equal(width, ico.readUInt8(entry), 'each entry says the size of its image')
    sizes.push(width)
  }
  assert.deepEqual(sizes, [16, 32, 48])
})

test('the page links the manifest and the iOS tags, and Chromium parses the manifest without errors', async (t) => {
  const { app } = await buildTestApp(t, { probes: idleProbes })
  const origin = await listenOnLoopback(app)
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page } = watched
  await page.goto(origin)
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()

  const head = (selector: string, attribute: string) => page.locator(selector).getAttribute(attribute)
  assert.equal(await head('link[rel="manifest"]', 'href'), '/manifest.webmanifest')
  assert.equal(await head('link[rel="apple-touch-icon"]', 'href'), '/apple-touch-icon.png')
  assert.match((await head('meta[name="theme-color"]', 'content')) ?? '', /^#[0-9a-f]{6}$/i)
  assert.equal(await head('meta[name="apple-mobile-web-app-capable"]', 'content'), 'yes')
  assert.ok(await head('meta[name="apple-mobile-web-app-title"]', 'content'))

  const cdp = await page.context().newCDPSession(page)
  const parsed = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data: string }
  assert.equal(parsed.url, `${origin}/manifest.webmanifest`)
  assert.deepEqual(parsed.errors, [])
  assert.equal(JSON.parse(parsed.data).display, 'standalone')
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})
