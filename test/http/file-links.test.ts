// Signed file links (file_url): they open one file without a key, and nothing else — altered,
// expired, pointing at another file, after the key is revoked: 403 invalid_file_link.
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { FILE_LINK_SECRET_FILE } from '../../src/composition-root.js'
import { createStoredApiKey } from '../../src/keys/key-verifier.js'
import { auth, buildTestApp, tempDir } from '../helpers/test-app.js'
import { certificateWith } from '../helpers/certificates.js'
import { completeAlbum } from '../helpers/completed-downloads.js'

const HOUR_MS = 3600_000
const photo = Buffer.alloc(4000, 3)
const clip = Buffer.from(Array.from({ length: 6000 }, (_, i) => i % 253))

type Services = Awaited<ReturnType<typeof buildTestApp>>

async function albumDownload(services: Services, url = 'https://www.instagram.com/p/SignedAbc1/'): Promise<string> {
  const res = await services.app.inject({ method: 'POST', url: '/api/v1/download', headers: auth, payload: { url } })
  const id = res.json().download_id as string
  await completeAlbum(services, id, [
    { path: `ig/${id}/1.jpg`, media: 'image', type: 'image/jpeg', bytes: photo },
    { path: `ig/${id}/2.mp4`, media: 'video', type: 'video/mp4', bytes: clip },
  ])
  return id
}

async function linksOf(services: Services, id: string, headers: Record<string, string> = auth): Promise<string[]> {
  const body = (await services.app.inject({ url: `/api/v1/status/${id}`, headers })).json()
  return body.files.map((file: { file_url: string }) => file.file_url)
}

const refused = async (services: Services, url: string, what: string) => {
  const res = await services.app.inject({ url })
  assert.equal(res.statusCode, 403, `${what}: ${url} → ${res.statusCode}`)
  assert.equal(res.json().error.code, 'invalid_file_link', what)
  assert.equal(res.json().success, false)
}

test('a signed link opens its file without a key: inline by default, attachment on request, with Range', async (t) => {
  const services = await buildTestApp(t)
  const id = await albumDownload(services)
  const [first, second] = await linksOf(services, id)
  assert.ok(first && second)
  assert.match(second, new RegExp(`^/api/v1/links/${id}/1\\?k=test-admin&exp=\\d+&sig=[A-Za-z0-9_-]{43}$`))
  const status = (await services.app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
  assert.equal(status.file_url, first, 'the top-level file_url is files[0]')

  const video = await services.app.inject({ url: second })
  assert.equal(video.statusCode, 200)
  assert.ok(video.rawPayload.equals(clip))
  assert.equal(video.headers['content-type'], 'video/mp4')
  assert.match(String(video.headers['content-disposition']), /^inline; filename="2.mp4"/)

  const saved = await services.app.inject({ url: `${second}&download=1` })
  assert.equal(saved.statusCode, 200)
  assert.match(String(saved.headers['content-disposition']), /^attachment; filename="2.mp4"/)

  const part = await services.app.inject({ url: second, headers: { range: 'bytes=10-19' } })
  assert.equal(part.statusCode, 206)
  assert.ok(part.rawPayload.equals(clip.subarray(10, 20)))
  const beyond = await services.app.inject({ url: second, headers: { range: `bytes=${clip.length}-` } })
  assert.equal(beyond.statusCode, 416)
  assert.equal(beyond.headers['content-range'], `bytes */${clip.length}`)

  assert.equal(await linksOf(services, id).then((again) => again[1]), second, 'polling again gives the same link')
})

test('altered, forged or pointing at another file: 403 invalid_file_link', async (t) => {
  const services = await buildTestApp(t)
  const id = await albumDownload(services)
  const otherId = await albumDownload(services, 'https://www.instagram.com/p/SignedAbc2/')
  const [first, second] = await linksOf(services, id)
  const url = new URL(second!, 'https://x')
  const sig = url.searchParams.get('sig')!
  const exp = url.searchParams.get('exp')!
  const withParam = (name: string, value: string | null) => {
    const changed = new URL(url)
    if (value === null) changed.searchParams.delete(name)
    else changed.searchParams.set(name, value)
    return changed.pathname + changed.search
  }
  const flipped = (sig[5] === 'A' ? 'B' : 'A')
  await refused(services, withParam('sig', sig.slice(0, 5) + flipped + sig.slice(6)), 'one character of the signature')
  await refused(services, withParam('sig', `${sig}A`), 'a longer signature')
  await refused(services, withParam('sig', `${sig}!`), 'a stray character')
  await refused(services, withParam('sig', sig.slice(0, -1)), 'a shorter signature')
  await refused(services, withParam('sig', null), 'no signature')
  await refused(services, withParam('exp', String(Number(exp) + 3600)), 'a later expiry')
  await refused(services, withParam('exp', `${exp}.5`), 'a malformed expiry')
  await refused(services, withParam('k', 'someone-else'), 'another key name')
  await refused(services, withParam('k', null), 'no key name')
  await refused(services, second!.replace(`/${id}/1?`, `/${id}/0?`), 'the signature of file 1 on file 0')
  await refused(services, second!.replace(`/${id}/1?`, `/${otherId}/1?`), "the same file index of another download")
  await refused(services, second!.replace(`/${id}/1?`, `/${id}/5?`), 'a file that does not exist')
  await refused(services, second!.replace(`/${id}/1?`, '/not-a-uuid/1?'), 'a malformed download id')
  await refused(services, `/api/v1/links/${id}/1`, 'no query at all')
  await refused(services, `/api/v1/links/${id}/1?k=test-admin&exp=99999999999&sig=${'A'.repeat(43)}`, 'a forged signature')
  // The real ones still work.
  assert.equal((await services.app.inject({ url: first! })).statusCode, 200)
  assert.equal((await services.app.inject({ url: second! })).statusCode, 200)
})

test('a link expires after security.file_link_ttl_hours', async (t) => {
  let clock = Date.parse('2030-06-01T12:00:00Z')
  const services = await buildTestApp(t, { config: { security: { file_link_ttl_hours: 2 } }, now: () => clock })
  const id = await albumDownload(services)
  const [link] = await linksOf(services, id)
  const exp = Number(new URL(link!, 'https://x').searchParams.get('exp'))
  assert.ok(exp * 1000 >= clock + 2 * HOUR_MS && exp * 1000 <= clock + 2.2 * HOUR_MS, 'valid ttl to ttl + 10 %')
  clock += 2 * HOUR_MS - 1000
  assert.equal((await services.app.inject({ url: link! })).statusCode, 200, 'still valid just before the ttl')
  clock = exp * 1000
  await refused(services, link!, 'expired')
  const [fresh] = await linksOf(services, id)
  assert.notEqual(fresh, link)
  assert.equal((await services.app.inject({ url: fresh! })).statusCode, 200, 'a fresh status gives a fresh link')
})

test('revoking the key that read a link revokes the link; other keys keep theirs', async (t) => {
  const services = await buildTestApp(t)
  const id = await albumDownload(services)
  const phoneKey = (await createStoredApiKey(services.apiKeys, 'anna-iphone', 'submit'))!
  services.keys.reload()
  const [phoneLink] = await linksOf(services, id, { 'x-api-key': phoneKey })
  const [adminLink] = await linksOf(services, id)
  assert.match(phoneLink!, /k=anna-iphone/)
  assert.equal((await services.app.inject({ url: phoneLink! })).statusCode, 200)

  assert.ok(await services.apiKeys.revoke('anna-iphone'))
  services.keys.reload()
  await refused(services, phoneLink!, 'after revocation')
  assert.equal((await services.app.inject({ url: adminLink! })).statusCode, 200)
})

test('the secret is made once in <data_dir> with mode 0600; links survive a restart; logs never show a signature', async (t) => {
  const dir = tempDir(t)
  const lines: string[] = []
  const capture = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const log = pino({ level: 'debug' }, capture)
  const first = await buildTestApp(t, { dir, log })
  const id = await albumDownload(first)
  const [link] = await linksOf(first, id)
  const secretFile = path.join(first.paths.dataDir, FILE_LINK_SECRET_FILE)
  assert.equal(statSync(secretFile).mode & 0o777, 0o600)
  await first.app.close()

  const second = await buildTestApp(t, { dir, log })
  assert.equal((await second.app.inject({ url: link! })).statusCode, 200, 'same secret after a restart')
  const sig = new URL(link!, 'https://x').searchParams.get('sig')!
  await refused(second, link!.replace(sig, sig.split('').reverse().join('')), 'reversed')
  const written = lines.join('')
  assert.ok(written.includes('file link refused'), 'the refusal is logged')
  assert.ok(!written.includes(sig), 'no signature in any log line')
  assert.ok(!written.includes('sig='), 'no link query in any log line')
})

test('notification links are absolute, made for the submitting key, and open the file', async (t) => {
  const services = await buildTestApp(t, { config: { server: { public_url: 'https://videos.example.org' } } })
  const id = await albumDownload(services)
  const row = services.downloads.findById(id)!
  const linkFor = services.notificationLinks(row)
  const [file] = services.files.filesOf(row)
  const link = linkFor(file!)!
  assert.match(link, new RegExp(`^https://videos\\.example\\.org/api/v1/links/${id}/0\\?k=test-admin&`))
  const res = await services.app.inject({ url: link.slice('https://videos.example.org'.length) })
  assert.equal(res.statusCode, 200)
  assert.ok(res.rawPayload.equals(photo))
  const status = (await services.app.inject({ url: `/api/v1/status/${id}`, headers: auth })).json()
  assert.match(status.file_url, /^https:\/\/videos\.example\.org\/api\/v1\/links\//, 'public_url makes API links absolute too')
})

test("status answers absolute links when the request's Host is a name the certificate lists, else relative", async (t) => {
  const pem = certificateWith(tempDir(t), 'DNS:nas.example.com,IP:192.168.1.20')
  const services = await buildTestApp(t, { config: { tls: { enabled: true }, server: { port: 8443 } }, serverCert: () => pem })
  const id = await albumDownload(services)
  const linkVia = async (host: string) => (await services.app.inject({ url: `/api/v1/status/${id}`, headers: { ...auth, host } })).json().file_url as string
  const absolute = await linkVia('nas.example.com:8443')
  assert.match(absolute, new RegExp(`^https://nas\\.example\\.com:8443/api/v1/links/${id}/0\\?k=test-admin&exp=\\d+&sig=`))
  assert.match(await linkVia('192.168.1.20:8443'), /^https:\/\/192\.168\.1\.20:8443\/api\/v1\/links\//)
  const relative = await linkVia('evil.example:8443')
  assert.equal(relative, absolute.slice('https://nas.example.com:8443'.length), 'a Host the certificate does not list: relative')
  assert.equal((await services.app.inject({ url: relative })).statusCode, 200, 'and the relative link opens the file')
})
