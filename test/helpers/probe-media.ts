// ffprobe and ffmpeg read back what the engine wrote: codecs, tags, cover art, packet checksums.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export interface ProbedFile {
  format: { format_name: string; duration?: string; tags?: Record<string, string> }
  streams: { codec_name: string; codec_type: string; nb_frames?: string; bit_rate?: string; width?: number; height?: number; disposition?: { attached_pic?: number } }[]
}

export async function probeMedia(file: string): Promise<ProbedFile> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { timeout: 30_000 })
  return JSON.parse(stdout) as ProbedFile
}

/** Codec names of the real streams (cover art left out), in stream order. */
export function mediaCodecs(probe: ProbedFile): string[] {
  return probe.streams.filter((s) => !s.disposition?.attached_pic).map((s) => s.codec_name)
}

/** MD5 of the first video stream's packets: equal only when nothing was re-encoded. */
export async function videoPacketsMd5(file: string): Promise<string> {
  const { stdout } = await execFileAsync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'md5', '-'], { timeout: 30_000 })
  return stdout.trim()
}
