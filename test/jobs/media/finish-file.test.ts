// @integration: real ffmpeg and ffprobe
// Real ffmpeg and ffprobe on real files: what an iPhone gets from each kind of download.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { finishFile, MediaStoppedError, type FinishOptions } from '../../../src/jobs/media/finish-file.js'
import { runTool } from '../../../src/jobs/media/run-tool.js'
import { ensureExtraMedia, ensureMedia, SMALL_VIDEO, type ExtraMedia } from '../../fixtures/media.js'

const execFileAsync = promisify(execFile)
const TAGS = { title: '...wait for it', artist: 'anna', date: '2026-11-30', comment: 'https://www.tiktok.com/@anna/video/7300000000000000001' }

async function workCopy(t: TestContext, source: string, name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vds-media-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, name)
  await copyFile(source, file)
  return file
}

const extra = async (t: TestContext, kind: ExtraMedia, name: string) => workCopy(t, (await ensureExtraMedia(kind)).path, name)

function options(overrides: Partial<FinishOptions> = {}): FinishOptions {
  return {
    iosCompatible: true,
    embedMetadata: true,
    keepOriginal: false,
    tags: TAGS,
    deadlineMs: Date.now() + 60_000,
    signal: undefined,
    killGraceMs: 1_000,
    runTool,
    ffmpeg: 'ffmpeg',
    ffprobe: 'ffprobe',
    onWarning: (message) => assert.fail(`unexpected warning: ${message}`),
    ...overrides,
  }
}

interface Probed {
  format: { format_name: string; tags?: Record<string, string> }
  streams: { codec_name: string; codec_type: string; disposition?: { attached_pic?: number } }[]
}
async function ffprobe(file: string): Promise<Probed> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file])
  return JSON.parse(stdout) as Probed
}
async function videoPacketsMd5(file: string): Promise<string> {
  const { stdout } = await execFileAsync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'md5', '-'])
  return stdout.trim()
}
const codecs = (probe: Probed) => probe.streams.filter((s) => !s.disposition?.attached_pic).map((s) => s.codec_name)

test('a VP9/Opus webm becomes an H.264/AAC MP4, tagged, the webm gone', async (t) => {
  const input = await extra(t, 'vp9Webm', 'clip.webm')
  const done = await finishFile({ path: input, thumbnail: null }, options())
  assert.equal(done.action, 'transcoded')
  assert.equal(done.extension, 'mp4')
  assert.deepEqual([done.media, done.width, done.height], ['video', 320, 240])
  const probe = await ffprobe(done.path)
  assert.match(probe.format.format_name, /mp4/)
  assert.deepEqual(codecs(probe), ['h264', 'aac'])
  assert.equal(probe.format.tags?.title, '...wait for it')
  await assert.rejects(stat(input), { code: 'ENOENT' })
})

test('an H.264/AAC mkv is remuxed to MP4: the video packets are the very same bytes', async (t) => {
  const input = await extra(t, 'h264Mkv', 'clip.mkv')
  const before = await videoPacketsMd5(input)
  const done = await finishFile({ path: input, thumbnail: null }, options({ keepOriginal: true }))
  assert.equal(done.action, 'remuxed')
  assert.deepEqual(codecs(await ffprobe(done.path)), ['h264', 'aac'])
  assert.equal(await videoPacketsMd5(done.path), before, 'no re-encode: same packets')
  assert.equal(done.original, input, 'downloads.keep_original keeps the mkv')
  assert.ok((await stat(input)).isFile())
})

test('metadata and the thumbnail as cover art are read back by ffprobe', async (t) => {
  const input = await workCopy(t, (await ensureMedia(SMALL_VIDEO)).path, 'clip.mp4')
  const thumbnail = await extra(t, 'webp', 'clip.thumb.webp')
  const done = await finishFile({ path: input, thumbnail }, options())
  assert.equal(done.action, 'tagged')
  const probe = await ffprobe(done.path)
  const tags = probe.format.tags ?? {}
  assert.deepEqual([tags.title, tags.artist, tags.date, tags.comment], [TAGS.title, TAGS.artist, TAGS.date, TAGS.comment])
  const cover = probe.streams.find((s) => s.disposition?.attached_pic === 1)
  assert.equal(cover?.codec_name, 'mjpeg')
})

test('an iPhone-ready MP4 without metadata wanted is left exactly as it came', async (t) => {
  const input = await workCopy(t, (await ensureMedia(SMALL_VIDEO)).path, 'clip.mp4')
  const done = await finishFile({ path: input, thumbnail: null }, options({ embedMetadata: false, onWarning: () => {} }))
  assert.deepEqual([done.action, done.path], ['kept', input])
})

test('a WebP photo becomes a JPEG; a JPEG and an MP3 stay what they are', async (t) => {
  const webp = await finishFile({ path: await extra(t, 'webp', 'p.webp'), thumbnail: null }, options())
  assert.deepEqual([webp.media, webp.action, webp.extension], ['image', 'converted', 'jpg'])
  assert.deepEqual(codecs(await ffprobe(webp.path)), ['mjpeg'])
  const jpeg = await finishFile({ path: await extra(t, 'jpeg', 'p.jpg'), thumbnail: null }, options())
  assert.deepEqual([jpeg.media, jpeg.action, jpeg.width, jpeg.height], ['image', 'kept', 64, 48])
  const mp3 = await finishFile({ path: await extra(t, 'mp3', 's.mp3'), thumbnail: null }, options())
  assert.deepEqual([mp3.media, mp3.action], ['audio', 'tagged'])
  assert.equal((await ffprobe(mp3.path)).format.tags?.title, TAGS.title)
})

test('with downloads.ios_compatible off, a webm stays a webm', async (t) => {
  const input = await extra(t, 'vp9Webm', 'clip.webm')
  const done = await finishFile({ path: input, thumbnail: null }, options({ iosCompatible: false }))
  assert.deepEqual([done.action, done.extension], ['kept', 'webm'])
})

test('a transcode past the attempt time limit stops ffmpeg and says so', async (t) => {
  const input = await extra(t, 'vp9Webm', 'clip.webm')
  await assert.rejects(finishFile({ path: input, thumbnail: null }, options({ deadlineMs: Date.now() - 1 })), MediaStoppedError)
})
