// A completed download's media in a real browser, from real downloads against the loopback media
// server: yt-dlp's album of a page with several <video> elements (the webm among them transcoded
// by ffmpeg) and gallery-dl's direct JPEG. At an iPhone's viewport the album is a grid with a tile
// per file, in order, each loading from its signed link; "Save to Photos" hands the share sheet
// exactly the album's files. Headless Chromium on Linux has no Web Share, so only navigator.share
// and canShare are replaced, by a recorder; without them (and at desktop size) each file gets a
// download link. The site's thumbnail is never requested.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { readFile } from 'node:fs/promises'
import { ALBUM_TITLE, PAGE_TITLE, startMediaServer } from '../fixtures/media-server.js'
import { ensureExtraMedia } from '../fixtures/media.js'
import { completeAlbum } from '../helpers/completed-downloads.js'
import { ADMIN_KEY, auth, buildTestApp, idleProbes } from '../helpers/test-app.js'
import { DESKTOP, SIGNED_OUT_CHECK, enterKey, launchChromium, listenOnLoopback, openWatchedPage, unexpectedProblems, UI_TIMEOUT_MS, type WatchedPage } from './browser.js'
import { smallTapTargets } from './settings-page.js'

/** The download object's fields these tests read (SPEC §2). */
interface FileView {
  index: number
  media: string
  filename: string
  content_type: string
  file_size: number
  file_url: string
}
interface DownloadView {
  download_id: string
  status: string
  kind: string
  title: string
  thumbnail_url: string | null
  files: FileView[]
}
/** The DOM shapes read inside the page (the project's tsconfig has no DOM lib). */
interface MediaLike {
  readyState: number
  duration: number
  currentSrc: string
}
interface ImageLike {
  naturalWidth: number
  currentSrc: string
}
/** loadedmetadata has fired: the duration is known. */
const hasMetadata = (el: MediaLike) => el.readyState >= 1 && el.duration > 0
const isDecoded = (el: ImageLike) => el.naturalWidth > 0
interface SharedFile {
  name: string
  type: string
  size: number
  sha256: string
}

// Browser code as text (the project's tsconfig has no DOM lib); it runs before the page's scripts.
// share() records each file's name, type, size and SHA-256 of its bytes, as the share sheet gets them.
const SHARE_RECORDER = `
  window.__shares = []
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('')
  Object.defineProperty(Navigator.prototype, 'canShare', {
    configurable: true,
    value: (data) => Array.isArray(data?.files) && data.files.length > 0 && data.files.every((file) => file instanceof File),
  })
  // window.__nextShareError = 'AbortError' (the user closed the sheet) or 'NotAllowedError' (the
  // tap's activation ran out) makes the next call fail that way, as Safari's would.
  window.__nextShareError = null
  Object.defineProperty(Navigator.prototype, 'share', {
    configurable: true,
    value: async (data) => {
      const refusal = window.__nextShareError
      window.__nextShareError = null
      if (refusal) throw new DOMException('refused by the test', refusal)
      window.__shares.push({
        title: data.title,
        files: await Promise.all(data.files.map(async (file) => ({
          name: file.name, type: file.type, size: file.size,
          sha256: hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer())),
        }))),
      })
    },
  })
`
const PUBLIC_URL = 'https://vds.example:8443'
const NO_SHARE = 'delete Navigator.prototype.share; delete Navigator.prototype.canShare'

let browser: Browser
before(async () => {
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
})

type TestApp = Awaited<ReturnType<typeof buildTestApp>>['app']

/** Submits through the API and waits (long polls) until the download has completed. */
async function completedDownload(app: TestApp, url: string): Promise<string> {
  const submitted = await app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })
  const id: string = submitted.json().download_id
  const deadline = Date.now() + 120_000
  for (;;) {
    const status = (await app.inject({ url: `/api/v1/status/${id}?wait=10`, headers: auth })).json()
    if (status.status === 'completed') return id
    assert.ok(['pending', 'downloading'].includes(status.status), `${url}: ${status.status} ${status.error_message}`)
    if (Date.now() > deadline) throw new Error(`${url} did not complete`)
  }
}

/** The download as the signed-in page sees it (its own session's signed links). */
function statusInPage(page: Page, id: string): Promise<DownloadView> {
  return page.evaluate(`fetch('/api/v1/status/${id}').then((answer) => answer.json())`)
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex')

/** Signs in with initScript run first; returns the page and the requests it made to other origins. */
async function openSignedIn(watched: WatchedPage, origin: string, initScript: string): Promise<{ page: Page; foreign: string[] }> {
  const foreign: string[] = []
  watched.page.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) foreign.push(request.url())
  })
  await watched.page.context().addInitScript({ content: initScript })
  await watched.page.goto(origin)
  await enterKey(watched.page, ADMIN_KEY)
  return { page: watched.page, foreign }
}

type Shares = Array<{ title: string; files: SharedFile[] }>
const sharesInPage = (page: Page) => page.evaluate(() => (globalThis as unknown as { __shares: Shares }).__shares)
const refuseNextShare = (page: Page, name: 'AbortError' | 'NotAllowedError') =>
  page.evaluate((error) => Object.assign(globalThis, { __nextShareError: error }), name)

/**
 * The photo's Save button: a failed file fetch is said in the live region; a closed share sheet says
 * nothing; a share refused because the tap ran out asks for another tap, which shares at once.
 */
async function photoIsSavedAfterRefusals(page: Page, photoId: string, photo: DownloadView): Promise<string> {
  const item = card(page, photoId)
  const save = item.getByRole('button', { name: 'Save to Photos' })
  const status = item.locator('.save [role="status"]')
  const before = (await sharesInPage(page)).length
  const filePath = new URL(photo.files[0]!.file_url, 'http://x').pathname
  await page.route(`**${filePath}*`, (route) => route.fulfill({ status: 500, body: 'broken' }))
  await save.click()
  await status.filter({ hasText: 'the server answered 500' }).waitFor()
  assert.equal(await status.getAttribute('aria-live'), 'polite')
  await page.unroute(`**${filePath}*`)

  await refuseNextShare(page, 'AbortError')
  await save.click()
  await status.filter({ hasText: /^$/ }).waitFor({ state: 'attached' })
  await save.waitFor()
  assert.equal((await sharesInPage(page)).length, before)

  await refuseNextShare(page, 'NotAllowedError')
  await save.click()
  await item.getByRole('button', { name: 'Ready: tap to save' }).click()
  await page.waitForFunction((count) => (globalThis as unknown as { __shares: unknown[] }).__shares.length > count, before, { timeout: UI_TIMEOUT_MS })
  const last = (await sharesInPage(page)).at(-1)!
  assert.deepEqual(last.files.map(({ name, type, size }) => ({ name, type, size })), [{ name: photo.files[0]!.filename, type: 'image/jpeg', size: photo.files[0]!.file_size }])
  await save.waitFor()
  return `500 GET ${filePath}`
}

const card = (page: Page, id: string) => page.locator(`#history-list > li[data-id="${id}"]`)

test('completed downloads show their media from signed links: an album grid, a photo, Save to Photos', async (t) => {
  const media = await startMediaServer()
  t.after(() => media.close())
  const { app } = await buildTestApp(t, { config: { downloads: { allowed_domains: ['127.0.0.1'] } }, startWorker: true })
  const origin = await listenOnLoopback(app)
  const [albumId, photoId, videoId] = (await Promise.all(
    // page.html: a video with an og:image, so its thumbnail_url names a picture on another origin.
    ['/album.html', '/media/photo.jpg', '/page.html'].map((path) => completedDownload(app, media.url(path))),
  )) as [string, string, string]

  await t.test('at 390×844 the album is one tile per file, in order, each loading from its link; Save hands over exactly its files', async (t) => {
    const watched = await openWatchedPage(browser)
    t.after(watched.close)
    const { page, foreign } = await openSignedIn(watched, origin, SHARE_RECORDER)
    const album = await statusInPage(page, albumId)
    assert.equal(album.kind, 'album')
    assert.equal(album.files.length, 3)

    const item = card(page, albumId)
    await item.locator('.album-grid').waitFor()
    assert.equal(await item.locator('.item-title').innerText(), ALBUM_TITLE)
    const tiles = item.locator('.album-grid .tile')
    assert.deepEqual(await tiles.evaluateAll((els) => els.map((el) => (el as unknown as { dataset: { index: string } }).dataset.index)), ['0', '1', '2'])
    assert.deepEqual(await tiles.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))), ['Video 1 of 3', 'Video 2 of 3', 'Video 3 of 3'])
    // Each tile's video reached loadedmetadata (readyState ≥ 1) from its own signed link.
    const tileVideos = item.locator('.album-grid video')
    assert.equal(await tileVideos.count(), 3)
    for (const video of await tileVideos.elementHandles()) await page.waitForFunction(hasMetadata, video, { timeout: UI_TIMEOUT_MS })
    const sources = await tileVideos.evaluateAll((els) => els.map((el) => (el as unknown as MediaLike).currentSrc))
    assert.deepEqual(sources, album.files.map((file) => `${new URL(file.file_url, origin).href}#t=0.001`))

    // A tap on a tile plays that file large, with controls.
    await tiles.nth(1).click()
    const stageVideo = item.locator('.album-stage video')
    await stageVideo.waitFor()
    assert.equal(await stageVideo.getAttribute('controls'), '')
    assert.equal(await stageVideo.evaluate((el) => (el as unknown as MediaLike).currentSrc), sources[1])
    assert.equal(await tiles.nth(1).getAttribute('aria-pressed'), 'true')
    assert.deepEqual(await smallTapTargets(page, `li[data-id="${albumId}"] .media`), [])
    await item.getByRole('button', { name: 'Close video 2 of 3' }).click()
    await stageVideo.waitFor({ state: 'detached' })

    await item.getByRole('button', { name: 'Save all 3 to Photos' }).click()
    await page.waitForFunction(() => (globalThis as unknown as { __shares: unknown[] }).__shares.length === 1, undefined, { timeout: UI_TIMEOUT_MS })
    const [shared] = await sharesInPage(page)
    const onServer = await Promise.all(album.files.map(async (file) => sha256((await app.inject({ url: file.file_url })).rawPayload)))
    assert.equal(shared!.title, ALBUM_TITLE)
    assert.deepEqual(
      shared!.files,
      album.files.map((file, i) => ({ name: file.filename, type: file.content_type, size: file.file_size, sha256: onServer[i] })),
    )
    assert.equal(await item.getByRole('link', { name: /^Save video/ }).count(), 0, 'no fallback links where files can be shared')

    // The photo: an <img> named by its title, decoded from its signed link.
    const photo = await statusInPage(page, photoId)
    assert.equal(photo.kind, 'image')
    const img = card(page, photoId).locator('.media-single img')
    // Photos load lazily: as a user would, scroll to it.
    await img.scrollIntoViewIfNeeded()
    await page.waitForFunction(isDecoded, await img.elementHandle(), { timeout: UI_TIMEOUT_MS })
    // gallery-dl's direct link has no title: the alt text says what and where from, not the long link.
    assert.equal(photo.title, null)
    assert.equal(await img.getAttribute('alt'), 'Photo from 127.0.0.1')
    assert.equal(await img.evaluate((el) => (el as unknown as ImageLike).currentSrc), new URL(photo.files[0]!.file_url, origin).href)
    const refusedFetch = await photoIsSavedAfterRefusals(page, photoId, photo)

    // A single video: the player itself, its first frame the thumbnail (not the site's).
    assert.equal((await statusInPage(page, videoId)).thumbnail_url, media.url('/thumb.jpg'))
    const video = card(page, videoId).locator('.media-single video')
    await page.waitForFunction(hasMetadata, await video.elementHandle(), { timeout: UI_TIMEOUT_MS })
    assert.equal(await video.getAttribute('aria-label'), PAGE_TITLE)
    assert.deepEqual(await video.evaluate((el) => ['controls', 'playsinline', 'preload', 'poster'].map((name) => el.getAttribute(name))), ['', '', 'metadata', null])
    await page.screenshot({ path: '/tmp/vds-media-phone.png', fullPage: true })
    assert.ok(await page.evaluate('document.scrollingElement.scrollWidth <= 390'), 'nothing wider than the phone')

    assert.deepEqual(foreign, [], 'nothing from another origin: no site thumbnail')
    assert.deepEqual(await watched.cspViolations(), [])
    assert.deepEqual(unexpectedProblems(watched, [SIGNED_OUT_CHECK, refusedFetch]), [])
  })

  await t.test('at 1280×800 without Web Share, each file has a download link to its signed link with download=1', async (t) => {
    const watched = await openWatchedPage(browser, DESKTOP)
    t.after(watched.close)
    const { page, foreign } = await openSignedIn(watched, origin, NO_SHARE)
    const album = await statusInPage(page, albumId)
    const item = card(page, albumId)
    await item.locator('.album-grid').waitFor()
    assert.equal(await item.locator('.save-button').count(), 0)
    const links = item.locator('.save-links a')
    assert.deepEqual(await links.allInnerTexts(), ['Save video 1', 'Save video 2', 'Save video 3'])
    const hrefs = await links.evaluateAll((els) => els.map((el) => [el.getAttribute('href'), el.getAttribute('download')]))
    const expected = album.files.map((file) => {
      const url = new URL(file.file_url, origin)
      url.searchParams.set('download', '1')
      return [url.href, file.filename]
    })
    assert.deepEqual(hrefs, expected)
    const answer = await app.inject({ url: new URL(expected[0]![0]!).pathname + new URL(expected[0]![0]!).search })
    assert.equal(answer.statusCode, 200)
    assert.match(String(answer.headers['content-disposition']), /^attachment;/)
    // At desktop width the grid is wider than three across.
    const boxes = await Promise.all([0, 1, 2].map((i) => item.locator('.tile').nth(i).boundingBox()))
    assert.equal(new Set(boxes.map((box) => box!.y)).size, 1, 'the three tiles are on one row')

    const video = card(page, videoId).locator('.media-single video')
    await page.waitForFunction(hasMetadata, await video.elementHandle(), { timeout: UI_TIMEOUT_MS })
    assert.ok((await video.boundingBox())!.width > 600, 'the video is as wide as the card')
    const photoItem = card(page, photoId)
    await photoItem.locator('.media-single img').scrollIntoViewIfNeeded()
    await page.waitForFunction(isDecoded, await photoItem.locator('.media-single img').elementHandle(), { timeout: UI_TIMEOUT_MS })
    assert.deepEqual(await photoItem.locator('.save-links a').allInnerTexts(), ['Save photo'])
    await page.screenshot({ path: '/tmp/vds-media-desktop.png', fullPage: true })
    assert.deepEqual(foreign, [])
    assert.deepEqual(await watched.cspViolations(), [])
    assert.deepEqual(unexpectedProblems(watched), [])
  })
})

test('a mixed album (a carousel of a photo and a video, a slideshow sound) has a tile of each kind that loads and shares', async (t) => {
  // No downloader of the fixtures makes a mixed post, so its real files are put in place the way
  // the engine finishes an attempt (the worker is off, so the test completes it).
  const media = await startMediaServer()
  t.after(() => media.close())
  // The worker is off: idle probes keep the health pill from reporting it dead. With a public_url
  // the API's links are absolute on that address, not the loopback one this page is opened at.
  const built = await buildTestApp(t, { probes: idleProbes, config: { server: { public_url: PUBLIC_URL } } })
  const submitted = await built.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url: 'https://www.instagram.com/p/CxYz123AbC/' } })
  const id: string = submitted.json().download_id
  const folder = 'instagram/someone/Three things [CxYz]'
  const [photo, clip, sound] = await Promise.all([media.extraFiles['photo.jpg'].path, media.smallVideo.path, (await ensureExtraMedia('mp3')).path].map((file) => readFile(file)))
  await completeAlbum(built, id, [
    { path: `${folder}/01.jpg`, media: 'image', type: 'image/jpeg', bytes: photo! },
    { path: `${folder}/02.mp4`, media: 'video', type: 'video/mp4', bytes: clip! },
    { path: `${folder}/03.mp3`, media: 'audio', type: 'audio/mpeg', bytes: sound! },
  ])
  const origin = await listenOnLoopback(built.app)
  const watched = await openWatchedPage(browser)
  t.after(watched.close)
  const { page, foreign } = await openSignedIn(watched, origin, SHARE_RECORDER)
  const album = await statusInPage(page, id)
  const item = card(page, id)
  const tiles = item.locator('.album-grid .tile')
  await tiles.first().waitFor()
  assert.deepEqual(await tiles.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))), ['Photo 1 of 3', 'Video 2 of 3', 'Sound 3 of 3'])
  await page.waitForFunction(isDecoded, await tiles.nth(0).locator('img').elementHandle(), { timeout: UI_TIMEOUT_MS })
  const link = new URL(album.files[0]!.file_url)
  assert.equal(link.origin, PUBLIC_URL)
  // The page uses the signed path and query on its own origin, which its CSP allows.
  assert.equal(await tiles.nth(0).locator('img').evaluate((el) => (el as unknown as ImageLike).currentSrc), `${origin}${link.pathname}${link.search}`)
  await page.waitForFunction(hasMetadata, await tiles.nth(1).locator('video').elementHandle(), { timeout: UI_TIMEOUT_MS })

  await tiles.nth(0).click()
  const large = item.locator('.album-stage img')
  await page.waitForFunction(isDecoded, await large.elementHandle(), { timeout: UI_TIMEOUT_MS })
  assert.equal(await large.getAttribute('alt'), 'Three things: photo 1 of 3')
  await tiles.nth(2).click()
  const audio = item.locator('.album-stage audio')
  await page.waitForFunction(hasMetadata, await audio.elementHandle(), { timeout: UI_TIMEOUT_MS })
  assert.equal(await item.locator('.album-stage img').count(), 0, 'one file at a time')
  assert.deepEqual(await smallTapTargets(page, `li[data-id="${id}"] .media`), [])

  await item.getByRole('button', { name: 'Save all 3 to Photos' }).click()
  await page.waitForFunction(() => (globalThis as unknown as { __shares: unknown[] }).__shares.length === 1, undefined, { timeout: UI_TIMEOUT_MS })
  const [shared] = await sharesInPage(page)
  assert.deepEqual(
    shared!.files,
    album.files.map((file, i) => ({ name: file.filename, type: file.content_type, size: file.file_size, sha256: sha256([photo!, clip!, sound!][i]!) })),
  )
  assert.deepEqual(foreign, [])
  assert.deepEqual(await watched.cspViolations(), [])
  assert.deepEqual(unexpectedProblems(watched), [])
})
