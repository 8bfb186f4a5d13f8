// @integration: real yt-dlp through the egress proxy over HTTPS
// HTTPS through the egress proxy with the real yt-dlp: a CONNECT carrying the attempt's token in
// Proxy-Authorization (from the --proxy URL's user info) reaches an allowed https host, and an
// og:video on it that names https://127.0.0.2 is refused before any TLS connection is made there.
import assert from 'node:assert/strict'
import { createReadStream } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { createEgressProxy } from '../../src/egress/egress-proxy.js'
import { ensureMedia, SMALL_VIDEO, type MediaFile } from '../fixtures/media.js'
import { downloaderBuilds, downloaderVersion } from '../helpers/downloaders.js'
import { makeLoopbackCertificate } from '../notify/receivers.js'
import { createEngineFixture, waitForStatus } from '../jobs/helpers.js'

let video: MediaFile
let page: Server
let internal: Server
let pageOrigin = ''
let internalOrigin = ''
let internalConnections = 0
before(async () => {
  video = await ensureMedia(SMALL_VIDEO)
  const tls = makeLoopbackCertificate()
  internal = createServer(tls, (_req, res) => res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': video.size }).end())
  internal.on('connection', () => (internalConnections += 1))
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.2', resolve))
  internalOrigin = `https://127.0.0.2:${(internal.address() as AddressInfo).port}`
  page = createServer(tls, (req, res) => {
    const og = (url: string) => `<!doctype html><html><head><title>Clip</title><meta property="og:title" content="Clip"><meta property="og:type" content="video.other"><meta property="og:video" content="${url}"><meta property="og:video:type" content="video/mp4"></head></html>`
    if (req.url === '/internal.html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(og(`${internalOrigin}/secret.mp4`))
    if (req.url === '/own.html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(og(`${pageOrigin}/own.mp4`))
    if (req.url === '/own.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': video.size })
      return void createReadStream(video.path).pipe(res)
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
  pageOrigin = `https://127.0.0.1:${(page.address() as AddressInfo).port}`
})
after(() => {
  page.closeAllConnections()
  internal.closeAllConnections()
  page.close()
  internal.close()
})

const [build] = downloaderBuilds().slice(-1) // the current build (the system's where it is all there is)

describe(`https through the egress proxy: yt-dlp ${downloaderVersion(build!.ytdlp)}`, () => {
  test('an allowed https host downloads; its og:video to https://127.0.0.2 fails as blocked_address with no connection there', async (t) => {
    const fx = await createEngineFixture(t, {
      ytdlp: { path: build!.ytdlp, extra_args: ['--no-check-certificate'] },
      gallery_dl: { path: build!.galleryDl },
      downloads: { allowed_domains: ['127.0.0.1'], max_concurrent: 2, embed_metadata: false },
    })
    const egress = createEgressProxy({ allowedDomains: fx.config.downloads.allowed_domains })
    fx.defer(() => egress.stop())
    fx.startWorker({ egress })
    const own = fx.submit(`${pageOrigin}/own.html`)
    const blocked = fx.submit(`${pageOrigin}/internal.html`)
    const done = await waitForStatus(fx, own, 'completed', 120_000)
    assert.equal(done.error_code, null)
    const failed = await waitForStatus(fx, blocked, 'failed', 120_000)
    assert.equal(failed.error_code, 'blocked_address', String(failed.error_message))
    assert.equal(internalConnections, 0)
  })
})
