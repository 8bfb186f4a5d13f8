// After a downloader is done, each file is checked with ffprobe and made iPhone-ready and tagged
// (see ios-plan.ts) by one ffmpeg run into the work folder. ffmpeg runs under the attempt's time
// limit and stop rules; when it fails for another reason the downloaded file is kept as it is —
// a file that needs an app beats no file — and the failure is logged.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { MediaType } from '../../core/types.js'
import { imageFits, jpegArgs, planVideo, soundArgs, soundFits, videoArgs, type FileTags } from './ios-plan.js'
import { ffprobeArgs, parseProbe, type MediaProbe } from './probe.js'
import type { RunTool } from './run-tool.js'

/** A file as the downloader left it in the work folder. */
export interface DownloadedFile {
  path: string
  /** a picture for the cover (the post's thumbnail), or null */
  thumbnail: string | null
}

/** The file to keep, still in the work folder. */
export interface FinishedFile {
  path: string
  /** without the dot */
  extension: string
  media: MediaType
  width: number | null
  height: number | null
  duration_seconds: number | null
  /** the downloaded file, when downloads.keep_original kept it beside a converted one */
  original: string | null
  /** what was done, for the log */
  action: 'kept' | 'tagged' | 'remuxed' | 'transcoded' | 'converted' | 'unchanged_after_error'
}

export interface FinishOptions {
  iosCompatible: boolean
  embedMetadata: boolean
  keepOriginal: boolean
  tags: FileTags
  /** Date.now() value at which the attempt's time limit ends */
  deadlineMs: number
  signal: AbortSignal | undefined
  killGraceMs: number
  runTool: RunTool
  /** absolute paths, or null when not installed */
  ffmpeg: string | null
  ffprobe: string | null
  /** told about a conversion that failed and was skipped */
  onWarning: (message: string, details: Record<string, unknown>) => void
}

/** ffmpeg stopped for the attempt's time limit or an abort: the attempt ends, the file does not count. */
export class MediaStoppedError extends Error {
  override name = 'MediaStoppedError'
  constructor(readonly reason: 'timeout' | 'aborted') {
    super(reason === 'timeout' ? 'making the file iPhone-ready ran past the time limit' : 'stopped')
  }
}

const PROBE_TIMEOUT_MS = 30_000
const PROBE_OUTPUT_MAX = 1024 * 1024

export async function finishFile(file: DownloadedFile, options: FinishOptions): Promise<FinishedFile> {
  const extension = path.extname(file.path).slice(1).toLowerCase()
  const probe = options.ffprobe === null ? null : await probeFile(file.path, options)
  const media = mediaOf(probe, extension)
  const base: FinishedFile = {
    path: file.path,
    extension,
    media,
    width: probe?.video?.width ?? null,
    height: probe?.video?.height ?? null,
    duration_seconds: media === 'image' ? null : (probe?.duration_seconds ?? null),
    original: null,
    action: 'kept',
  }
  if (probe === null || options.ffmpeg === null) return base
  const tags = options.embedMetadata ? options.tags : null
  const cover = tags !== null && file.thumbnail !== null && (await isPicture(file.thumbnail, options)) ? file.thumbnail : null
  const stem = file.path.slice(0, file.path.length - path.extname(file.path).length)

  if (media === 'video' && probe.video !== null) {
    const plan = planVideo(probe, extension)
    const ios = options.iosCompatible
    if (!ios && !isMp4(extension)) return base
    if ((plan.action === 'keep' || !ios) && tags === null) return base
    const used = ios ? plan : ({ action: 'keep', video: 'copy', audio: probe.audio ? 'copy' : 'none' } as const)
    const action = used.action === 'keep' ? 'tagged' : used.action === 'remux' ? 'remuxed' : 'transcoded'
    return convert(base, `${stem}.ios.mp4`, videoArgs(file.path, `${stem}.ios.mp4`, probe, used, tags, cover), action, options)
  }
  if (media === 'audio' && probe.audio !== null) {
    const fits = soundFits(probe, extension)
    if (fits || !options.iosCompatible) {
      if (tags === null || !['mp3', 'm4a'].includes(extension) || !fits) return base
      const output = `${stem}.tagged.${extension}`
      return convert(base, output, soundArgs(file.path, output, probe, true, extension === 'mp3' ? 'mp3' : 'mp4', tags, cover), 'tagged', options)
    }
    const output = `${stem}.ios.m4a`
    return convert(base, output, soundArgs(file.path, output, probe, false, 'mp4', tags, cover), 'transcoded', options)
  }
  if (media === 'image' && options.iosCompatible && !imageFits(probe, extension)) {
    const output = `${stem}.ios.jpg`
    return convert(base, output, jpegArgs(file.path, output), 'converted', options)
  }
  return base
}

async function convert(base: FinishedFile, output: string, args: string[], action: FinishedFile['action'], options: FinishOptions): Promise<FinishedFile> {
  const run = await options.runTool({ command: options.ffmpeg!, args, timeoutMs: remainingMs(options), killGraceMs: options.killGraceMs, signal: options.signal })
  if (run.stoppedBy === 'timeout') throw new MediaStoppedError('timeout')
  if (run.stoppedBy === 'abort') throw new MediaStoppedError('aborted')
  if (run.exitCode !== 0) {
    await rm(output, { force: true })
    options.onWarning('ffmpeg could not make the file iPhone-ready; the downloaded file is kept as it is', {
      file: path.basename(base.path),
      action,
      stderr: run.stderr.slice(-1000),
      exit_code: run.exitCode,
    })
    return { ...base, action: 'unchanged_after_error' }
  }
  const extension = path.extname(output).slice(1)
  // A tag-only pass replaces the file; a conversion keeps the original only when asked to.
  const keepOriginal = options.keepOriginal && action !== 'tagged'
  if (!keepOriginal) await rm(base.path, { force: true })
  return { ...base, path: output, extension, original: keepOriginal ? base.path : null, action }
}

function mediaOf(probe: MediaProbe | null, extension: string): MediaType {
  if (probe?.image) return 'image'
  if (probe?.video) return 'video'
  if (probe?.audio) return 'audio'
  if (/^(?:jpe?g|png|gif|webp|heic|heif|avif|bmp|tiff?)$/.test(extension)) return 'image'
  if (/^(?:mp3|m4a|aac|opus|ogg|oga|wav|flac)$/.test(extension)) return 'audio'
  return 'video'
}

function isMp4(extension: string): boolean {
  return ['mp4', 'mov', 'm4v'].includes(extension)
}

async function probeFile(file: string, options: FinishOptions): Promise<MediaProbe | null> {
  let json = ''
  const run = await options.runTool({
    command: options.ffprobe!,
    args: ffprobeArgs(file),
    timeoutMs: Math.min(PROBE_TIMEOUT_MS, remainingMs(options)),
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    onLine: (line) => {
      if (json.length < PROBE_OUTPUT_MAX) json += `${line}\n`
    },
  })
  if (run.stoppedBy === 'abort') throw new MediaStoppedError('aborted')
  if (run.stoppedBy === 'timeout' && remainingMs(options) <= 1) throw new MediaStoppedError('timeout')
  if (run.exitCode !== 0) return null
  try {
    return parseProbe(json)
  } catch {
    return null
  }
}

async function isPicture(file: string, options: FinishOptions): Promise<boolean> {
  const probe = await probeFile(file, options)
  return probe !== null && probe.video !== null
}

function remainingMs(options: FinishOptions): number {
  const left = options.deadlineMs - Date.now()
  if (left <= 0) throw new MediaStoppedError('timeout')
  return left
}
