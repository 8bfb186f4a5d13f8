// @integration: installs yt-dlp release builds from the loopback release server, runs the system's yt-dlp
// Issue 11 item 4 over HTTP: GET /api/v1/tools and POST /api/v1/tools/update on the real services,
// and health: `downloader_update` after a failed check (until a good release), `downloader` for
// a yt-dlp more than 90 days old (the system's 2023.03.04).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { NEW_VERSION, NEWER_VERSION } from '../fixtures/release-builds.js'
import { auth, buildTestApp } from '../helpers/test-app.js'
import { ASSET, startManagedApp } from './managed-app.js'

interface Tool { name: string; kind: string; managed: boolean; available: boolean; version: string | null; release: string | null; last_check_ok: boolean | null; failed_checks: number; last_check_message: string | null }
interface Check { name: string; status: string; message: string }

test('GET /api/v1/tools and POST /api/v1/tools/update: install, a refused release (health degraded), then a good one', { timeout: 180_000 }, async (t) => {
  const { builds, releases, services } = await startManagedApp(t)
  const { app } = services
  const tools = async () => (await app.inject({ url: '/api/v1/tools', headers: auth })).json().tools as Tool[]
  const update = async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/tools/update', headers: auth })
    assert.equal(res.statusCode, 200, res.body)
    return res.json() as { results: { name: string; ok: boolean; updated: boolean; version: string | null; message: string }[]; tools: Tool[] }
  }
  const health = async () => (await app.inject({ url: '/api/v1/health' })).json() as { status: string; downloader: Record<string, unknown>; checks: Check[] }

  const [before, galleryDl] = await tools()
  assert.deepEqual([before?.name, before?.kind, before?.managed, before?.available], ['yt-dlp', 'system', true, false], 'wanted, not installed yet')
  assert.deepEqual([galleryDl?.name, galleryDl?.kind, galleryDl?.managed], ['gallery-dl', 'owner', false])

  const installed = await update()
  const ytdlp = installed.results.find((r) => r.name === 'yt-dlp')
  assert.deepEqual([ytdlp?.ok, ytdlp?.updated, ytdlp?.version], [true, true, NEW_VERSION])
  assert.match(installed.results.find((r) => r.name === 'gallery-dl')?.message ?? '', /your own gallery-dl/)
  assert.deepEqual([installed.tools[0]?.kind, installed.tools[0]?.release, installed.tools[0]?.last_check_ok], ['managed', NEW_VERSION, true])
  assert.doesNotMatch(JSON.stringify(installed), /\/tmp\/|\/nonexistent/, 'no paths')
  const healthy = await health()
  assert.deepEqual([healthy.downloader.version, healthy.downloader.managed], [NEW_VERSION, true])
  assert.ok(!healthy.checks.some((c) => c.name === 'downloader_update'))

  // A release whose file does not match its published SHA-256: refused, reported, the old one stays.
  releases.publish('yt-dlp', NEWER_VERSION, { [ASSET]: builds.ytdlpNewer.bytes }, { checksums: { [ASSET]: 'ab'.repeat(32) } })
  const refused = (await update()).results.find((r) => r.name === 'yt-dlp')
  assert.deepEqual([refused?.ok, refused?.updated, refused?.version], [false, false, NEW_VERSION])
  const degraded = await health()
  assert.equal(degraded.status, 'degraded')
  const check = degraded.checks.find((c) => c.name === 'downloader_update')
  assert.match(check?.message ?? '', /^yt-dlp: 1 failed update check\(s\) in a row: .*does not match its published SHA-256/)
  assert.equal(degraded.downloader.version, NEW_VERSION, 'the working copy still runs')
  assert.deepEqual([(await tools())[0]?.last_check_ok, (await tools())[0]?.failed_checks], [false, 1])

  releases.publish('yt-dlp', NEWER_VERSION, { [ASSET]: builds.ytdlpNewer.bytes })
  const fixed = (await update()).results.find((r) => r.name === 'yt-dlp')
  assert.deepEqual([fixed?.ok, fixed?.updated, fixed?.version], [true, true, NEWER_VERSION])
  assert.ok(!(await health()).checks.some((c) => c.name === 'downloader_update'), 'a good check clears it')
})

test("health is degraded for a yt-dlp more than 90 days old: the owner's, the system's 2023.03.04", { timeout: 60_000 }, async (t) => {
  const { app } = await buildTestApp(t, { startWorker: true, config: { ytdlp: { path: 'yt-dlp' }, gallery_dl: { path: 'gallery-dl' } } })
  const body = (await app.inject({ url: '/api/v1/health' })).json() as { status: string; downloader: Record<string, unknown>; checks: Check[] }
  assert.equal(body.downloader.version, '2023.03.04')
  assert.equal(body.downloader.managed, false)
  assert.ok(Number(body.downloader.age_days) > 90, String(body.downloader.age_days))
  assert.equal(body.status, 'degraded')
  const check = body.checks.find((c) => c.name === 'downloader')
  assert.match(check?.message ?? '', /^yt-dlp 2023\.03\.04 is \d+ days old: update it, or set ytdlp\.path: auto/)
})
