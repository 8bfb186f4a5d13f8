// What a file needs before an iPhone can play it or Photos can save it, and the ffmpeg command
// that does it. Videos: H.264 (8-bit 4:2:0) or HEVC with AAC in MP4/MOV are kept; fitting codecs in
// another container (mkv, webm) are remuxed — streams copied, nothing re-encoded; only a stream
// that does not fit is transcoded (VP9/AV1 video → H.264, Opus/Vorbis/MP3 audio → AAC). Sounds:
// MP3 and AAC are kept, others become AAC in M4A. Images: JPEG, HEIC, PNG and GIF are kept, others
// become JPEG. Metadata and cover art are written in the same ffmpeg run.
import type { MediaProbe } from './probe.js'

export type VideoAction = 'keep' | 'remux' | 'transcode'

export interface VideoPlan {
  action: VideoAction
  video: 'copy' | 'h264'
  audio: 'copy' | 'aac' | 'none'
}

/** Tags written into a video or sound file. */
export interface FileTags {
  title: string | null
  artist: string | null
  /** YYYY-MM-DD */
  date: string | null
  /** the link the post was shared as */
  comment: string | null
}

const MP4_FAMILY = /(?:^|,)(?:mov|mp4)(?:,|$)/
const MP4_EXTENSIONS = new Set(['mp4', 'mov', 'm4v'])
/** iPhones decode H.264 in hardware only as 8-bit 4:2:0. */
const PLAYABLE_H264_PIXELS = new Set(['yuv420p', 'yuvj420p'])
const PLAYABLE_HEVC_PIXELS = new Set(['yuv420p', 'yuvj420p', 'yuv420p10le'])
const KEPT_IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'heic', 'heif'])
const KEPT_IMAGE_CODECS = new Set(['mjpeg', 'png', 'gif'])

export function planVideo(probe: MediaProbe, extension: string): VideoPlan {
  const video = probe.video
  const videoFits =
    video !== null &&
    ((video.codec_name === 'h264' && PLAYABLE_H264_PIXELS.has(video.pix_fmt ?? 'yuv420p')) ||
      (video.codec_name === 'hevc' && PLAYABLE_HEVC_PIXELS.has(video.pix_fmt ?? 'yuv420p')))
  const audio = probe.audio === null ? 'none' : probe.audio.codec_name === 'aac' ? 'copy' : 'aac'
  const containerFits = MP4_FAMILY.test(probe.format_name) && MP4_EXTENSIONS.has(extension.toLowerCase())
  if (!videoFits) return { action: 'transcode', video: 'h264', audio }
  if (audio === 'aac') return { action: 'transcode', video: 'copy', audio }
  return { action: containerFits ? 'keep' : 'remux', video: 'copy', audio }
}

/** A sound is kept as MP3 or AAC; anything else (Opus, Vorbis, FLAC in webm/ogg) becomes AAC. */
export function soundFits(probe: MediaProbe, extension: string): boolean {
  const codec = probe.audio?.codec_name
  const ext = extension.toLowerCase()
  return (codec === 'mp3' && ext === 'mp3') || (codec === 'aac' && ['m4a', 'mp4', 'aac'].includes(ext))
}

export function imageFits(probe: MediaProbe | null, extension: string): boolean {
  const ext = extension.toLowerCase()
  // ffprobe 5 cannot read HEIC; the extension is all there is, and Photos opens it.
  if (ext === 'heic' || ext === 'heif') return true
  return probe !== null && probe.video !== null && KEPT_IMAGE_CODECS.has(probe.video.codec_name) && KEPT_IMAGE_EXTENSIONS.has(ext)
}

const COMMON = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-n']

/** ffmpeg for a video: the plan's codecs, tags and cover in one pass, MP4 with the index up front. */
export function videoArgs(input: string, output: string, probe: MediaProbe, plan: VideoPlan, tags: FileTags | null, cover: string | null): string[] {
  const video = probe.video!
  const args = [...COMMON, '-i', input]
  if (cover !== null) args.push('-i', cover)
  args.push('-map', `0:${video.index}`)
  if (probe.audio !== null) args.push('-map', `0:${probe.audio.index}`)
  if (cover !== null) args.push('-map', '1:v:0')
  if (plan.video === 'copy') {
    args.push('-c:v:0', 'copy')
    // Apple plays HEVC in MP4 only when tagged hvc1 (not hev1).
    if (video.codec_name === 'hevc') args.push('-tag:v:0', 'hvc1')
  } else {
    // Even dimensions: 4:2:0 needs them.
    args.push('-c:v:0', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-profile:v:0', 'high')
    args.push('-filter:v:0', 'scale=trunc(iw/2)*2:trunc(ih/2)*2')
  }
  if (plan.audio === 'copy') args.push('-c:a', 'copy')
  if (plan.audio === 'aac') args.push('-c:a', 'aac', '-b:a', '160k')
  if (cover !== null) args.push('-c:v:1', 'mjpeg', '-disposition:v:1', 'attached_pic')
  args.push(...tagArgs(tags), '-movflags', '+faststart', '-f', 'mp4', output)
  return args
}

/** ffmpeg for a sound: copied when it fits (tags only), else AAC in M4A; the cover as its picture. */
export function soundArgs(input: string, output: string, probe: MediaProbe, copy: boolean, outputFormat: 'mp3' | 'mp4', tags: FileTags | null, cover: string | null): string[] {
  const args = [...COMMON, '-i', input]
  if (cover !== null) args.push('-i', cover)
  args.push('-map', `0:${probe.audio!.index}`)
  if (cover !== null) args.push('-map', '1:v:0', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic')
  args.push(...(copy ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '160k']))
  if (outputFormat === 'mp3') args.push('-id3v2_version', '3')
  args.push(...tagArgs(tags), '-f', outputFormat, output)
  return args
}

/** ffmpeg turning any still image it can read into a JPEG (the first frame of an animation). */
export function jpegArgs(input: string, output: string): string[] {
  return [...COMMON, '-i', input, '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p', '-f', 'image2', output]
}

function tagArgs(tags: FileTags | null): string[] {
  if (tags === null) return []
  const args: string[] = []
  for (const [key, value] of Object.entries(tags)) {
    // A control character could end a tag early in some readers; titles do not need them.
    if (value !== null) args.push('-metadata', `${key}=${value.replace(/\p{Cc}/gu, ' ').slice(0, 1000)}`)
  }
  return args
}
