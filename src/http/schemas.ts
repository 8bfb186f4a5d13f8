// Request and response schemas: the same objects validate requests, type handlers and feed OpenAPI.
import { Type, type Static } from 'typebox'
import { DOWNLOAD_STATUSES, DownloadKind, DownloaderName, WaitingReason } from '../core/types.js'
import { NAME_PATTERN as CLIENT_ID_PATTERN } from '../core/names.js'
import { Nullable, Progress, Timestamp, type SubmitAccepted } from '../core/shapes.js'

export { Health, HealthCheck, Progress, SubmitAccepted } from '../core/shapes.js'
export { NAME_PATTERN as CLIENT_ID_PATTERN } from '../core/names.js'

export const SubmitBody = Type.Object(
  {
    url: Type.String({ description: 'http(s) link of the video; surrounding whitespace is trimmed' }),
    client_id: Type.Optional(Type.String({ description: '1-128 of [A-Za-z0-9._:@-]; defaults to the key name' })),
    timestamp: Type.Optional(
      Type.Union([Type.String(), Type.Number()], {
        description: 'when the link was shared: ISO 8601 or unix seconds',
      }),
    ),
  },
  { additionalProperties: true, title: 'SubmitRequest' },
)
export type SubmitBody = Static<typeof SubmitBody>

export type SubmitAcceptedBody = SubmitAccepted

/** A download id in the path: a UUID (anything else is 400 invalid_download_id). */
export const DownloadId = Type.String({ format: 'uuid', description: 'the download_id a submission answered' })
export const DownloadIdParams = Type.Object({ download_id: DownloadId })

/** One file of a download, in the post's order. */
export const DownloadFile = Type.Object({
  index: Type.Integer({ minimum: 0, description: '0-based position in the post; 0 is the top-level file' }),
  media: Type.Enum(['video', 'image', 'audio']),
  filename: Type.String(),
  file_path: Type.String({ description: 'relative to the downloads folder' }),
  file_size: Type.Integer(),
  content_type: Type.String(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  duration_seconds: Nullable(Type.Number()),
  file_url: Nullable(Type.String({ description: 'signed link that works without a key, for a limited time' })),
}, { title: 'DownloadFile' })
export type DownloadFile = Static<typeof DownloadFile>

export const Download = Type.Object({
  download_id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  client_id: Type.String(),
  status: Type.Enum(DOWNLOAD_STATUSES),
  submitted_at: Timestamp,
  updated_at: Timestamp,
  started_at: Nullable(Timestamp),
  completed_at: Nullable(Timestamp),
  retry_count: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  error_code: Nullable(Type.String({ description: 'stable snake code of the last failure' })),
  error_message: Nullable(Type.String()),
  waiting_reason: Nullable(Type.Enum(Object.values(WaitingReason), { description: 'why a pending job is not running now' })),
  progress: Progress,
  kind: Nullable(Type.Enum(Object.values(DownloadKind), { description: 'null until completed; album = more than one file' })),
  files: Type.Array(DownloadFile),
  filename: Nullable(Type.String()),
  file_path: Nullable(Type.String()),
  file_size: Nullable(Type.Integer()),
  file_url: Nullable(Type.String()),
  title: Nullable(Type.String()),
  uploader: Nullable(Type.String()),
  duration_seconds: Nullable(Type.Number()),
  thumbnail_url: Nullable(Type.String()),
  extractor: Nullable(Type.String()),
  video_id: Nullable(Type.String()),
  downloader: Nullable(Type.Enum(Object.values(DownloaderName))),
  duplicate_of: Nullable(Type.String({ format: 'uuid', description: 'the completed download whose files this one shares' })),
}, { title: 'Download' })
export type Download = Static<typeof Download>

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
  status: Type.Optional(Type.Enum(DOWNLOAD_STATUSES)),
  client_id: Type.Optional(Type.String({ pattern: CLIENT_ID_PATTERN })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})

export const HistoryPage = Type.Object({
  downloads: Type.Array(Download),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
}, { title: 'HistoryPage' })

export const ErrorBody = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
  request_id: Type.String(),
}, { title: 'Error' })

/** Standard error answers, so OpenAPI lists them next to each route. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, ErrorBody])) as Record<number, typeof ErrorBody>

/** The answer to DELETE /api/v1/downloads/{id}. */
export const DeletedDownload = Type.Object(
  { success: Type.Literal(true), download_id: Type.String({ format: 'uuid' }), file_deleted: Type.Boolean() },
  { title: 'DeletedDownload' },
)

const BINARY = { type: 'string', format: 'binary' } as const
/** What a file route may send: the file's own type (from its extension), as these ranges. */
export const FILE_MEDIA_RANGES = ['video/*', 'image/*', 'audio/*', 'application/octet-stream'] as const
const fileContent = Object.fromEntries(FILE_MEDIA_RANGES.map((range) => [range, { schema: BINARY }]))

const FILE_HEADERS = {
  'Content-Disposition': { type: 'string', description: 'inline (play) or attachment (?download), with the filename (RFC 6266)' },
  'Content-Length': { type: 'integer' },
  'Accept-Ranges': { type: 'string', description: 'bytes' },
  ETag: { type: 'string' },
  'Last-Modified': { type: 'string' },
} as const

/**
 * The answers of a route that sends one file of a download: the whole file, a byte range, or 416
 * (with `Content-Range: bytes *\/size`) for a range outside it, plus the error answers given.
 */
export const fileResponses = (...errorCodes: number[]) => ({
  200: { description: 'the whole file', headers: FILE_HEADERS, content: fileContent },
  206: {
    description: 'the requested byte range',
    headers: { ...FILE_HEADERS, 'Content-Range': { type: 'string', description: 'bytes START-END/SIZE' } },
    content: fileContent,
  },
  ...errorResponses(...errorCodes, 416),
})

/** A route answering text of one media type (metrics, certificates, the event stream). */
export const textResponse = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
})
