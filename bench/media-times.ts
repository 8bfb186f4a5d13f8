// What making a file iPhone-ready costs beside downloading it (issue 10's closing figures): a 20 s
// 720p clip in three forms from the loopback fixture, through the real server with its defaults
// (downloads.ios_compatible and embed_metadata on): an H.264/AAC MP4 (kept, only tagged), the same
// codecs in Matroska (remuxed) and VP9/Opus in WebM (transcoded), POST to the `completed` event.
// Beside them the download alone (bare yt-dlp on the MP4) and the server's own finishing step
// (finishFile: ffprobe plus one ffmpeg run, as the attempt calls it) on the MKV and the WebM. Every
// file the server made is checked with ffprobe: H.264 + AAC in MP4, 20 s long.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { finishFile, type FinishedFile } from '../src/jobs/media/finish-file.js'
import { runTool } from '../src/jobs/media/run-tool.js'
import { ensureExtraMedia, type ExtraMedia, type MediaFile } from '../test/fixtures/media.js'
import { withEngineBench, type EngineBench } from './engine-server.js'
import { loadAverage1m } from './machine.js'
import type { BenchContext, Figure, Measurement } from './measurement.js'
import { median } from './stats.js'

const execFileAsync = promisify(execFile)

const RUNS = 3
/** A transcode on a loaded 2-core machine is slow; the server's own attempt limit is 300 s. */
const JOB_TIMEOUT_MS = 300_000
const CLIP_SECONDS = 20

const CLIPS = {
  mp4: { media: 'clip720Mp4', type: 'video/mp4' },
  mkv: { media: 'clip720Mkv', type: 'video/x-matroska' },
  webm: { media: 'clip720Webm', type: 'video/webm' },
} as const satisfies Record<string, { media: ExtraMedia; type: string }>
type ClipKind = keyof typeof CLIPS
const KINDS = Object.keys(CLIPS) as ClipKind[]

/** What the server's attempt writes into a file; the values only need to be realistic. */
const TAGS = { title: 'Bench clip', artist: 'vds-bench', date: '2026-12-02', comment: 'https://www.tiktok.com/@vds-bench/video/7000000000000000001' }

interface Samples {
  server: Record<ClipKind, number[]>
  bareDownload: number[]
  remux: number[]
  transcode: number[]
  load: number[]
}

export const mediaTimes: Measurement = {
  name: 'media-times',
  description: `${CLIP_SECONDS} s 720p clip, ${RUNS} runs: download (MP4), remux (MKV) and transcode (VP9 WebM) through the server, bare yt-dlp and the finishing step alone`,
  run: async (context) => {
    const clips = {} as Record<ClipKind, MediaFile>
    for (const kind of KINDS) clips[kind] = await ensureExtraMedia(CLIPS[kind].media) // one encode at a time
    context.log(`clips: ${KINDS.map((kind) => `${kind} ${(clips[kind].size / 2 ** 20).toFixed(1)} MB`).join(', ')}`)
    const served = Object.fromEntries(KINDS.map((kind) => [`clip.${kind}`, { media: clips[kind], type: CLIPS[kind].type }]))
    return withEngineBench(context, 'vds-bench-media-', (bench) => measure(context, bench, clips), { served })
  },
}

async function measure(context: BenchContext, bench: EngineBench, clips: Record<ClipKind, MediaFile>): Promise<Figure[]> {
  const samples: Samples = { server: { mp4: [], mkv: [], webm: [] }, bareDownload: [], remux: [], transcode: [], load: [] }
  const scratch = context.tempDir('vds-bench-media-scratch-')
  // Run 0 warms the page cache and python's modules and is not counted.
  for (let run = 0; run <= RUNS; run++) {
    const load = loadAverage1m()
    const server = {} as Record<ClipKind, number>
    for (const kind of KINDS) server[kind] = await throughServer(bench, bench.media.url(`/served/clip.${kind}?run=${run}`))
    const bareDownload = await bareYtDlp(path.join(scratch, `bare-${run}`), bench.media.url(`/served/clip.mp4?bare=${run}`), clips.mp4.size)
    const remux = await finishing(path.join(scratch, `remux-${run}`), clips.mkv, 'mkv', 'remuxed')
    const transcode = await finishing(path.join(scratch, `transcode-${run}`), clips.webm, 'webm', 'transcoded')
    context.log(
      `run ${run}${run === 0 ? ' (warm-up)' : ''}: server mp4 ${ms(server.mp4)}, mkv ${ms(server.mkv)}, webm ${ms(server.webm)}; ` +
        `bare yt-dlp ${ms(bareDownload)}; remux ${ms(remux)}, transcode ${ms(transcode)}; load ${load}`,
    )
    if (run === 0) continue
    for (const kind of KINDS) samples.server[kind].push(server[kind])
    samples.bareDownload.push(bareDownload)
    samples.remux.push(remux)
    samples.transcode.push(transcode)
    samples.load.push(load)
  }
  return figures(samples, clips)
}

/** POST to the `completed` event; the file the server kept must be what an iPhone plays. */
async function throughServer(bench: EngineBench, url: string): Promise<number> {
  const { id, sentAt } = await bench.submit(url)
  const completedAt = await bench.events.reached(id, 'completed', JOB_TIMEOUT_MS)
  const status = JSON.parse((await bench.server.request(`/api/v1/status/${id}`)).body) as { file_path: string | null }
  if (status.file_path === null) throw new Error(`download ${id} completed without a file`)
  await assertIphoneReady(path.join(bench.downloadsDir, status.file_path))
  return completedAt - sentAt
}

/** Spawn to exit of a plain yt-dlp download of the MP4: the transfer alone, nothing done to the file. */
async function bareYtDlp(outputDir: string, url: string, expectedBytes: number): Promise<number> {
  await mkdir(outputDir)
  const startedAt = performance.now()
  await execFileAsync('yt-dlp', ['--ignore-config', '--no-playlist', '-o', path.join(outputDir, '%(id)s.%(ext)s'), '--', url], { timeout: JOB_TIMEOUT_MS })
  const elapsed = performance.now() - startedAt
  const files = (await readdir(outputDir)).filter((name) => !name.startsWith('.'))
  const size = files.length === 1 ? (await stat(path.join(outputDir, files[0]!))).size : -1
  if (size !== expectedBytes) throw new Error(`bare yt-dlp left ${files.join(', ') || 'nothing'} (${size} bytes, expected ${expectedBytes})`)
  await rm(outputDir, { recursive: true })
  return elapsed
}

/** The attempt's finishing step on a work copy of the clip, timed from the call to its answer. */
async function finishing(workDir: string, clip: MediaFile, extension: string, expected: FinishedFile['action']): Promise<number> {
  await mkdir(workDir)
  const file = path.join(workDir, `clip.${extension}`)
  await copyFile(clip.path, file)
  const startedAt = performance.now()
  const finished = await finishFile(
    { path: file, thumbnail: null },
    {
      iosCompatible: true, embedMetadata: true, keepOriginal: false, tags: TAGS,
      deadlineMs: Date.now() + JOB_TIMEOUT_MS, signal: undefined, killGraceMs: 2_000,
      runTool, ffmpeg: 'ffmpeg', ffprobe: 'ffprobe',
      onWarning: (message) => { throw new Error(message) },
    },
  )
  const elapsed = performance.now() - startedAt
  if (finished.action !== expected) throw new Error(`${path.basename(clip.path)} was ${finished.action}, expected ${expected}`)
  await assertIphoneReady(finished.path)
  await rm(workDir, { recursive: true })
  return elapsed
}

/** H.264 video and AAC sound in an MP4 of the clip's length, or the timing is of the wrong work. */
async function assertIphoneReady(file: string): Promise<void> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file])
  const probe = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: { codec_type: string; codec_name: string; disposition?: { attached_pic?: number } }[] }
  const codecs = probe.streams.filter((s) => !s.disposition?.attached_pic).map((s) => `${s.codec_type}:${s.codec_name}`).sort()
  const seconds = Number(probe.format.duration)
  if (!probe.format.format_name.includes('mp4') || codecs.join(',') !== 'audio:aac,video:h264' || Math.abs(seconds - CLIP_SECONDS) > 0.5) {
    throw new Error(`${path.basename(file)} is ${probe.format.format_name} ${codecs.join(',')} ${seconds} s, not a ${CLIP_SECONDS} s H.264/AAC MP4`)
  }
}

const ms = (value: number) => `${Math.round(value)} ms`

function figures(samples: Samples, clips: Record<ClipKind, MediaFile>): Figure[] {
  const listed = (values: number[]) => `median of ${values.length} (${values.map(Math.round).join(', ')} ms)`
  const size = (kind: ClipKind) => `${(clips[kind].size / 2 ** 20).toFixed(1)} MB`
  const clip = `${CLIP_SECONDS} s 1280x720 30 fps clip from the loopback fixture`
  const figure = (id: string, label: string, values: number[], detail: string): Figure => ({
    id, label, value: median(values), unit: 'ms', load: samples.load, detail: `${detail}, ${listed(values)}`,
  })
  return [
    figure('media_download_bare_ms', '20 s 720p H.264 MP4: download alone (bare yt-dlp), median', samples.bareDownload,
      `${clip}, ${size('mp4')}, yt-dlp --ignore-config --no-playlist -o, spawn to exit`),
    figure('media_server_mp4_ms', '20 s 720p H.264 MP4 through the server (kept, tagged), median', samples.server.mp4,
      `${size('mp4')}, POST to the completed event, defaults (ios_compatible, embed_metadata on)`),
    figure('media_server_mkv_ms', '20 s 720p H.264 MKV through the server (remuxed), median', samples.server.mkv,
      `${size('mkv')}, POST to the completed event`),
    figure('media_server_webm_ms', '20 s 720p VP9/Opus WebM through the server (transcoded), median', samples.server.webm,
      `${size('webm')}, POST to the completed event`),
    figure('media_remux_ms', '20 s 720p MKV → MP4 remux alone (the server\'s finishing step), median', samples.remux,
      'finishFile(): ffprobe + ffmpeg -c copy with tags, as the attempt runs it'),
    figure('media_transcode_ms', '20 s 720p VP9/Opus → H.264/AAC transcode alone (the server\'s finishing step), median', samples.transcode,
      'finishFile(): ffprobe + ffmpeg libx264 veryfast crf 23 + aac, with tags'),
  ]
}
