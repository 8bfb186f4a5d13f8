// @integration: fake yt-dlp and gallery-dl run by the server started as `vds serve` starts it
// The production server never runs a downloader around its egress proxy (issue 8 item 3, SPEC §5).
// The server is started by main.ts's startServer from a config file, like `vds serve`; its fake
// yt-dlp and gallery-dl record their command line and environment, then use the last --proxy they
// were given (as the real ones do) to fetch an allowed loopback page and an internal address. The
// owner's own --proxy in extra_args points at a listener that must see nothing. Both jobs fail as
// blocked_address, which only the server's proxy, knowing that attempt's token, can cause.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { DownloadWorker, type WorkerDeps } from '../../src/jobs/worker.js'
import { startServer } from '../../src/main.js'
import { writeFakeDownloader } from '../helpers/fake-downloaders.js'
import { freePort, writeServerConfig } from '../helpers/server-process.js'
import { tempDir } from '../helpers/test-app.js'
import { waitFor } from '../helpers/wait-for.js'
import { createEngineFixture } from '../jobs/helpers.js'

const KEY = 'production-egress-key-0123456789'
/** Refused by the proxy before any connection is tried (private, not listed): no network needed. */
const INTERNAL = 'http://10.255.255.1/internal'

/** Records what it was given, then goes out the way a real downloader would: the last --proxy. */
const fakeBody = (allowedUrl: string) => `
printf '%s\\n' "$@" > "$FAKE_PIDS.args"
env | grep -i '_proxy=' | sort > "$FAKE_PIDS.env"
PROXY=; prev=
for a in "$@"; do [ "$prev" = "--proxy" ] && PROXY="$a"; prev="$a"; done
curl -s -m 10 -x "$PROXY" '${allowedUrl}' > "$FAKE_PIDS.allowed"
curl -s -m 10 -o /dev/null -w '%{http_code}' -x "$PROXY" '${INTERNAL}' > "$FAKE_PIDS.internal"
echo 'ERROR: [generic] Unable to download webpage: HTTP Error 403: Forbidden' >&2
exit 1`

test('every downloader run of the production server goes through its egress proxy; an owner --proxy cannot bypass it', async (t) => {
  const dir = tempDir(t)
  const page = createHttpServer((_req, res) => res.end('allowed page'))
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => page.close(resolve)))
  const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`
  // The owner's proxy: any connection to it would be a way around the check.
  let ownerProxyConnections = 0
  const ownerProxy = createTcpServer((socket) => {
    ownerProxyConnections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => ownerProxy.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => ownerProxy.close(resolve)))
  const ownerProxyUrl = `http://127.0.0.1:${(ownerProxy.address() as AddressInfo).port}`

  const ytdlp = await writeFakeDownloader(dir, 'fake-yt-dlp', fakeBody(`${pageUrl}/from-yt-dlp`))
  const galleryDl = await writeFakeDownloader(dir, 'fake-gallery-dl', fakeBody(`${pageUrl}/from-gallery-dl`))
  t.after(() => Promise.all([ytdlp.killAll(), galleryDl.killAll()]))
  const configFile = writeServerConfig(dir, {
    server: { host: '127.0.0.1', port: await freePort() },
    tls: { enabled: false },
    storage: { data_dir: path.join(dir, 'data'), downloads_dir: path.join(dir, 'downloads'), min_free_disk_mb: 0 },
    downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [] },
    ytdlp: { path: ytdlp.path, extra_args: ['--proxy', ownerProxyUrl] },
    gallery_dl: { path: galleryDl.path, extra_args: ['--proxy', ownerProxyUrl] },
    tools: { managed: false },
    security: { api_keys: [{ name: 'owner', key: KEY }] },
    logging: { level: 'silent', file: null },
  })
  const server = await startServer({ configFile, env: {} })
  t.after(() => server.close())

  const submit = async (url: string) => {
    const answer = await fetch(`${server.url}/api/v1/download`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ url }) })
    assert.equal(answer.status, 201)
    return ((await answer.json()) as { download_id: string }).download_id
  }
  const finalRow = (id: string) =>
    waitFor(`download ${id} to end`, async () => {
      const row = (await (await fetch(`${server.url}/api/v1/status/${id}`, { headers: { 'x-api-key': KEY } })).json()) as { status: string; error_code: string | null; error_message: string | null; downloader: string | null }
      return row.status === 'failed' ? row : undefined
    }, 20_000)

  for (const [fake, url] of [[ytdlp, `${pageUrl}/video`], [galleryDl, `${pageUrl}/photo.jpg`]] as const) {
    const row = await finalRow(await submit(url))
    const name = path.basename(fake.path)
    const args = (await readFile(`${fake.path}.pids.args`, 'utf8')).trimEnd().split('\n')
    const proxies = args.flatMap((arg, i) => (args[i - 1] === '--proxy' ? [arg] : []))
    assert.equal(proxies[0], ownerProxyUrl, `${name}: the owner's --proxy is passed on`)
    const egress = proxies.at(-1)!
    assert.match(egress, /^http:\/\/vds:[^@]+@127\.0\.0\.1:\d+$/, `${name}: the last --proxy is the server's loopback egress proxy`)
    assert.deepEqual(args.slice(-3), [egress, '--', url], `${name}: last before --, after every extra argument`)
    const env = await readFile(`${fake.path}.pids.env`, 'utf8')
    for (const variable of ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) {
      assert.ok(env.includes(`${variable}=${egress}\n`), `${name}: ${variable} is the egress proxy too`)
    }
    assert.equal(await readFile(`${fake.path}.pids.allowed`, 'utf8'), 'allowed page', `${name}: an allowed host is reached through it`)
    assert.equal(await readFile(`${fake.path}.pids.internal`, 'utf8'), '403', `${name}: an internal address is refused`)
    // The refusal was recorded for this very attempt: the server's proxy knew its token.
    assert.equal(row.error_code, 'blocked_address', `${name}: ${row.error_message}`)
    assert.match(row.error_message ?? '', /10\.255\.255\.1/)
  }
  assert.equal(ownerProxyConnections, 0, "nothing went through the owner's proxy")
})

test('a download worker cannot be built without the egress proxy, even by a caller the compiler does not check', async (t) => {
  const fx = await createEngineFixture(t)
  const deps = { jobs: fx.jobs, config: fx.config, events: fx.events, log: fx.log, downloadsDir: fx.downloadsDir }
  assert.throws(() => new DownloadWorker(deps as unknown as WorkerDeps), /needs the egress proxy/)
  assert.throws(() => new DownloadWorker({ ...deps, egress: undefined } as unknown as WorkerDeps), /needs the egress proxy/)
})
