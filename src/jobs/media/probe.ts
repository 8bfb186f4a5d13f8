// What a downloaded file really is, from ffprobe's JSON (never from its extension or what the
// site claimed): its container, its first real video stream (cover art is not one), its first
// audio stream, and whether it is a still image.

/** One stream as ffprobe describes it (only the fields we read). */
export interface ProbedStream {
  index: number
  codec_type: string
  codec_name: string
  pix_fmt: string | null
  width: number | null
  height: number | null
  bit_rate: number | null
  /** cover art inside a music or video file */
  attached_pic: boolean
}

export interface MediaProbe {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm" */
  format_name: string
  duration_seconds: number | null
  video: ProbedStream | null
  audio: ProbedStream | null
  /** a still picture (JPEG, PNG, WebP, ...) or an animated GIF */
  image: boolean
}

/** ffprobe arguments that print the JSON parseProbe reads. */
export function ffprobeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', file]
}

const IMAGE_FORMATS = /(?:_pipe|^image2|^gif|^webp|^apng)$/
const IMAGE_CODECS = new Set(['mjpeg', 'png', 'gif', 'webp', 'bmp', 'tiff', 'jpegxl', 'apng'])

/** Reads ffprobe's JSON; throws when it is not ffprobe output. */
export function parseProbe(json: string): MediaProbe {
  const data = JSON.parse(json) as { format?: Record<string, unknown>; streams?: Record<string, unknown>[] }
  if (typeof data !== 'object' || data === null || !Array.isArray(data.streams)) throw new Error('ffprobe printed no streams')
  const streams = data.streams.map(toStream)
  const format_name = typeof data.format?.format_name === 'string' ? data.format.format_name : ''
  const video = streams.find((s) => s.codec_type === 'video' && !s.attached_pic) ?? null
  const audio = streams.find((s) => s.codec_type === 'audio') ?? null
  const image = video !== null && audio === null && (IMAGE_FORMATS.test(format_name) || (IMAGE_CODECS.has(video.codec_name) && !format_name.includes('mp4')))
  return { format_name, duration_seconds: positive(data.format?.duration), video, audio, image }
}

function toStream(raw: Record<string, unknown>): ProbedStream {
  const disposition = (raw.disposition ?? {}) as Record<string, unknown>
  return {
    index: typeof raw.index === 'number' ? raw.index : 0,
    codec_type: typeof raw.codec_type === 'string' ? raw.codec_type : '',
    codec_name: typeof raw.codec_name === 'string' ? raw.codec_name : '',
    pix_fmt: typeof raw.pix_fmt === 'string' ? raw.pix_fmt : null,
    width: positive(raw.width),
    height: positive(raw.height),
    bit_rate: positive(raw.bit_rate),
    attached_pic: disposition.attached_pic === 1,
  }
}

function positive(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : null
}
