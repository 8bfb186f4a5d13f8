// Request and response schemas: the same objects validate requests, type handlers and feed OpenAPI.
import { Type, type Static } from 'typebox'
import { DOWNLOAD_STATUSES, DownloadKind, DownloaderName, WaitingReason } from '../core/types.js'
import { NAME_PATTERN as CLIENT_ID_PATTERN } from '../core/names.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Timestamp = Type.String({ format: 'date-time' })

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
  { additionalProperties: true },
)
export type SubmitBody = Static<typeof SubmitBody>

export const SubmitAccepted = Type.Object({
  success: Type.Literal(true),
  download_id: Type.String({ format: 'uuid' }),
  status: Type.Enum(DOWNLOAD_STATUSES),
  message: Type.String(),
  submitted_at: Timestamp,
  duplicate: Type.Optional(Type.Boolean()),
})

export type SubmitAcceptedBody = Static<typeof SubmitAccepted>

export const DownloadIdParams = Type.Object({ download_id: Type.String() })

export const Progress = Type.Object({
  percent: Nullable(Type.Number()),
  downloaded_bytes: Nullable(Type.Integer()),
  total_bytes: Nullable(Type.Integer()),
  speed_bps: Nullable(Type.Number()),
  eta_seconds: Nullable(Type.Number()),
})

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
})
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
})
export type Download = Static<typeof Download>

export const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
  status: Type.Optional(Type.Enum(DOWNLOAD_STATUSES)),
  client_id: Type.Optional(Type.String({ pattern: CLIENT_ID_PATTERN })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})

export const HistoryPage = Type.Object({
  downloads: Type.Array(Download),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
})

export const ErrorBody = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
  request_id: Type.String(),
})

export const Health = Type.Object({
  status: Type.Enum(['healthy', 'degraded', 'unhealthy']),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  timestamp: Timestamp,
  database: Type.Object({ connected: Type.Boolean(), total_downloads: Nullable(Type.Integer()) }),
  queue: Type.Object({
    pending: Type.Integer(),
    downloading: Type.Integer(),
    completed: Type.Integer(),
    failed: Type.Integer(),
  }),
  worker: Type.Object({ running: Type.Boolean(), active: Type.Integer(), max_concurrent: Type.Integer() }),
  disk: Type.Object({ free_bytes: Nullable(Type.Integer()), min_free_bytes: Type.Integer(), ok: Type.Boolean() }),
  downloader: Type.Object({ available: Type.Boolean(), version: Nullable(Type.String()) }),
  checks: Type.Array(Type.Object({ name: Type.String(), status: Type.String(), message: Type.String() })),
})
export type Health = Static<typeof Health>

/** Standard error answers, so OpenAPI lists them next to each route. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, ErrorBody])) as Record<number, typeof ErrorBody>
