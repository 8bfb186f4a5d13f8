// @integration: real yt-dlp and gallery-dl through the egress proxy
// Real yt-dlp and gallery-dl (the system's builds and the current ones) through the egress proxy,
// against loopback fixture sites: a page on an allowed host (127.0.0.1) that sends the downloader
// on to an internal service (127.0.0.2) by a 302, og:video, a meta refresh or <video src> fails as
// blocked_address, and the internal service sees no request at all. With the internal address
// listed in allowed_domains the same pages hand its bytes over (so the fixture really reaches it,
// as it did for every link before the proxy, the finding of issue 8); an allowed host still
// downloads normally.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createReadStream } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { createEgressProxy } from '../../src/egress/egress-proxy.js'
import { ensureExtraMedia, ensureMedia, SMALL_VIDEO, type MediaFile } from '../fixtures/media.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { createEngineFixture, finishedFiles, partialFiles, waitForStatus, type EngineFixture } from '../jobs/helpers.js'

interface Site {
  origin: string
  hits: string[]
  close(): Promise<void>
}

/** Serves `route(path)`; counts every request. */
async function startSite(host: string, route: (path: string, res: ServerResponse, req: IncomingMessage) => void): Promise<Site> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(req.url ?? '')
    route(new URL(req.url ?? '/', 'http://x').pathname, res, req)
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return {
    origin: `http://${host}:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

function sendMedia(res: ServerResponse, media: MediaFile, type: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': media.size })
  createReadStream(media.path).pipe(res)
}

function sendHtml(res: ServerResponse, head: string, body = ''): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><title>Fixture</title>${head}</head><body>${body}</body></html>`)
}

let internal: Site
let pages: Site
let video: MediaFile
let photo: MediaFile
before(async () => {
  ;[video, photo] = await Promise.all([ensureMedia(SMALL_VIDEO), ensureExtraMedia('jpeg')])
  // The "internal service": what a link must never reach. It serves real media, so a download
  // that got through would complete.
  internal = await startSite('127.0.0.2', (path, res) => {
    if (path === '/secret.mp4') return sendMedia(res, video, 'video/mp4')
    if (path === '/secret.jpg') return sendMedia(res, photo, 'image/jpeg')
    res.writeHead(404).end()
  })
  const secret = `${internal.origin}/secret.mp4`
  pages = await startSite('127.0.0.1', (path, res) => {
    if (path === '/redirect') return void res.writeHead(302, { Location: secret }).end()
    if (path === '/photo-redirect.jpg') return void res.writeHead(302, { Location: `${internal.origin}/secret.jpg` }).end()
    if (path === '/og.html') return sendHtml(res, `<meta property="og:title" content="Clip"><meta property="og:type" content="video.other"><meta property="og:video" content="${secret}"><meta property="og:video:type" content="video/mp4">`)
    if (path === '/refresh.html') return sendHtml(res, `<meta http-equiv="refresh" content="0;url=${secret}">`)
    if (path === '/video-tag.html') return sendHtml(res, '', `<video src="${secret}"></video>`)
    if (path === '/own.html') return sendHtml(res, `<meta property="og:title" content="Own clip"><meta property="og:type" content="video.other"><meta property="og:video" content="${pages.origin}/own.mp4"><meta property="og:video:type" content="video/mp4">`)
    if (path === '/own.mp4') return sendMedia(res, video, 'video/mp4')
    res.writeHead(404).end()
  })
})
after(async () => {
  await pages.close()
  await internal.close()
})

for (const build of downloaderBuilds()) {
  describe(`through the egress proxy: yt-dlp ${downloaderVersion(build.ytdlp)}, gallery-dl ${downloaderVersion(build.galleryDl)} (${build.name})`, () => {
    /** The engine with 127.0.0.1 (the page host) allowed, as an owner would list a LAN site. */
    const engine = async (t: Parameters<typeof createEngineFixture>[0]): Promise<EngineFixture> => {
      const fx = await createEngineFixture(t, { ytdlp: { path: build.ytdlp }, gallery_dl: { path: build.galleryDl }, downloads: { allowed_domains: ['127.0.0.1'], max_concurrent: 3 } })
      const egress = createEgressProxy({ allowedDomains: fx.config.downloads.allowed_domains })
      fx.defer(() => egress.stop())
      fx.startWorker({ egress })
      return fx
    }

    test('a 302, og:video, a meta refresh, <video src> (yt-dlp) and a redirected image (gallery-dl) to 127.0.0.2 each fail as blocked_address; the internal service sees nothing', async (t) => {
      const fx = await engine(t)
      const hitsBefore = internal.hits.length
      // All at once (downloads.max_concurrent 3): five real downloader runs in about the time of two.
      const paths = ['/redirect', '/og.html', '/refresh.html', '/video-tag.html', '/photo-redirect.jpg']
      const ids = paths.map((path) => fx.submit(`${pages.origin}${path}`))
      for (const [index, id] of ids.entries()) {
        const row = await waitForStatus(fx, id, 'failed', 120_000)
        assert.equal(row.error_code, 'blocked_address', `${paths[index]}: ${row.error_message}`)
        assert.match(row.error_message ?? '', /127\.0\.0\.2, a loopback address the server does not fetch/)
        assert.match(row.error_message ?? '', /downloads\.allowed_domains/)
        assert.equal(row.retry_count, 0, 'permanent: not retried')
        assert.ok(pages.hits.includes(paths[index]!), `${paths[index]} itself was fetched through the proxy`)
      }
      assert.deepEqual(internal.hits.slice(hitsBefore), [], 'no request reached 127.0.0.2')
      assert.deepEqual(await finishedFiles(fx), [])
      assert.deepEqual(await partialFiles(fx), [])
    })

    test('an allowed host downloads through the proxy as before', async (t) => {
      const fx = await engine(t)
      const id = fx.submit(`${pages.origin}/own.html`)
      const row = await waitForStatus(fx, id, 'completed', 120_000)
      assert.equal(row.error_code, null)
      assert.ok(pages.hits.includes('/own.mp4'), 'the video came from the allowed host')
      assert.equal((await finishedFiles(fx)).length, 1)
    })
  })
}

// The control: no worker runs without the proxy any more, so the fixture is shown to work with the
// internal address listed in allowed_domains (what an owner does for a NAS): the same 302 gets through.
describe('with the internal address listed in allowed_domains (the control)', () => {
  test('the same 302 hands over the internal file: the fixture really reaches 127.0.0.2', async (t) => {
    const [build] = downloaderBuilds()
    const downloads = { allowed_domains: ['127.0.0.1', '127.0.0.2'] }
    const fx = await createEngineFixture(t, { ytdlp: { path: build!.ytdlp }, gallery_dl: { path: build!.galleryDl }, downloads })
    fx.startWorker()
    const hitsBefore = internal.hits.length
    const id = fx.submit(`${pages.origin}/redirect`)
    await waitForStatus(fx, id, 'completed', 120_000)
    assert.ok(internal.hits.slice(hitsBefore).includes('/secret.mp4'))
  })
})
