import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, parseConfig } from '../../../src/core/config.js'
import { byteLength, PART_MAX_BYTES, renderPathTemplate, safePart } from '../../../src/jobs/storage/path-template.js'
import { isoDate, pathFieldsFor, siteName } from '../../../src/jobs/storage/path-fields.js'

const DEFAULT_TEMPLATE = parseConfig({}).storage.path_template
const fields = (overrides: Partial<Record<string, string>> = {}) => ({
  site: 'tiktok.com',
  uploader: 'anna',
  title: 'A title',
  video_id: '7300000000000000001',
  date: '2026-12-01',
  download_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  ...overrides,
})

test('the default template files by site, uploader and title with the id', () => {
  assert.deepEqual(renderPathTemplate(DEFAULT_TEMPLATE, fields()), ['tiktok.com', 'anna', 'A title [7300000000000000001]'])
})

test('an ordinary title with leading dots stays readable and is never hidden', () => {
  const [, , name] = renderPathTemplate(DEFAULT_TEMPLATE, fields({ title: '...wait for it' }))
  assert.equal(name, '…wait for it [7300000000000000001]')
  assert.equal(safePart('.hidden'), 'hidden')
  assert.equal(safePart('wait for it...'), 'wait for it…')
})

test('values cannot add folders, climb out or hide control characters', () => {
  const parts = renderPathTemplate('{uploader}/{title}', fields({ uploader: '../../etc', title: 'a/b\\c\u0000d\u202egpj.exe\nnext' }))
  assert.deepEqual(parts, ['…-..-etc', 'a-b-cdgpj.exe next'])
  for (const part of renderPathTemplate('{uploader}/{title}', fields({ uploader: '..', title: '.' }))) {
    assert.ok(!part.startsWith('.'), part)
    assert.ok(part.length > 0)
  }
  assert.deepEqual(renderPathTemplate('{uploader}', fields({ uploader: '   ' })), ['_'])
})

test('template folders that are empty, "." or ".." cannot leave the downloads folder', () => {
  assert.deepEqual(renderPathTemplate('/../{title}//', fields()), ['…', 'A title'])
})

test('a long title is shortened, on whole characters, and the id is kept', () => {
  const title = '😀 Ünïcödé '.repeat(40)
  const [, , name] = renderPathTemplate(DEFAULT_TEMPLATE, fields({ title }))
  assert.ok(byteLength(name!) <= PART_MAX_BYTES, `${byteLength(name!)} bytes`)
  assert.ok(name!.endsWith('… [7300000000000000001]'), name)
  assert.ok(!name!.includes('\uFFFD'))
  assert.equal(Buffer.from(name!, 'utf8').toString('utf8'), name)
  const long = safePart('x'.repeat(500))
  assert.equal(byteLength(long), PART_MAX_BYTES)
})

test('a 300-byte title with a long id keeps a readable start of both, on whole characters, within 255 bytes', () => {
  const title = '日本語のタイトル、とても長い'.repeat(8) // 3 bytes a character
  const id = `id-${'7'.repeat(120)}`
  assert.ok(byteLength(title) >= 300)
  const [, , name] = renderPathTemplate(DEFAULT_TEMPLATE, fields({ title, video_id: id }))
  assert.ok(byteLength(name!) <= PART_MAX_BYTES, `${byteLength(name!)} bytes`)
  const match = /^(.+)… \[(.+)…\]$/u.exec(name!)
  assert.ok(match, name)
  assert.ok(title.startsWith(match[1]!) && byteLength(match[1]!) >= 45, `the title's start is kept: ${match[1]}`)
  assert.ok(id.startsWith(match[2]!) && byteLength(match[2]!) >= 45, `the id's start is kept: ${match[2]}`)
  assert.equal(Buffer.from(name!, 'utf8').toString('utf8'), name, 'never cut inside a character')
  // With the longest suffix placing can add and an extension, the file name still fits 255 bytes.
  assert.ok(byteLength(`${name} (999).original.webm`) <= 255)
  // A usual id stays whole, the title gets the rest.
  const [, , usual] = renderPathTemplate(DEFAULT_TEMPLATE, fields({ title }))
  assert.ok(usual!.endsWith('… [7300000000000000001]'), usual)
  assert.ok(byteLength(usual!) > PART_MAX_BYTES - 3, 'the room left by the id goes to the title')
})

test('the config refuses a template field that does not exist, naming the key', () => {
  assert.throws(() => parseConfig({ storage: { path_template: '{site}/{nope}' } }), (err: unknown) => {
    assert.ok(err instanceof ConfigError)
    assert.match(err.message, /storage\.path_template/)
    return true
  })
  assert.equal(parseConfig({ storage: { path_template: '{date}/{download_id}' } }).storage.path_template, '{date}/{download_id}')
})

test('site names come from the allowed entry the link matched', () => {
  const allowed = ['tiktok.com', 'instagram.com', '127.0.0.1']
  assert.equal(siteName('https://vm.tiktok.com/ZMabc/', allowed), 'tiktok.com')
  assert.equal(siteName('https://www.instagram.com/p/Cabc/', allowed), 'instagram.com')
  assert.equal(siteName('http://127.0.0.1:8080/x.mp4', allowed), '127.0.0.1')
  assert.equal(siteName('https://www.example.org/v', ['*']), 'example.org')
})

test('missing facts get stand-ins and dates become YYYY-MM-DD', () => {
  const now = new Date('2026-12-01T10:00:00Z')
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e'
  const filled = pathFieldsFor({ facts: { title: null, uploader: null, video_id: null, upload_date: null }, url: 'https://tiktok.com/x', downloadId: id, allowedDomains: ['tiktok.com'], now })
  assert.deepEqual(filled, { site: 'tiktok.com', uploader: 'unknown', title: '0f8fad5b', video_id: '0f8fad5b', date: '2026-12-01', download_id: id })
  assert.equal(isoDate('20230415'), '2023-04-15')
  assert.equal(isoDate('2023-04-15 10:11:12'), '2023-04-15')
  assert.equal(isoDate('yesterday'), null)
})
