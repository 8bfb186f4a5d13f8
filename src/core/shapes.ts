// Shapes that leave the process (the answer to a submission, live progress, the health report),
// written once as TypeBox schemas: the HTTP layer validates and documents with them, and the rest
// of the code takes its types from them with Static<>, so a field is never described twice.
// `title` names a schema: the OpenAPI document lists each titled schema once under components.
import { Type, type Static } from 'typebox'
import { DOWNLOAD_STATUSES } from './download-status.js'

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
export const Timestamp = Type.String({ format: 'date-time' })

/** Live progress of a running attempt; every field null until the downloader has said. */
export const Progress = Type.Object(
  {
    percent: Nullable(Type.Number()),
    downloaded_bytes: Nullable(Type.Integer()),
    total_bytes: Nullable(Type.Integer()),
    speed_bps: Nullable(Type.Number()),
    eta_seconds: Nullable(Type.Number()),
  },
  { title: 'Progress' },
)
export type Progress = Static<typeof Progress>

/** The answer to POST /api/v1/download (201 new, 200 duplicate or idempotent replay). */
export const SubmitAccepted = Type.Object(
  {
    success: Type.Literal(true),
    download_id: Type.String({ format: 'uuid' }),
    status: Type.Enum(DOWNLOAD_STATUSES),
    message: Type.String(),
    submitted_at: Timestamp,
    duplicate: Type.Optional(Type.Boolean()),
  },
  { title: 'SubmitAccepted' },
)
export type SubmitAccepted = Static<typeof SubmitAccepted>

export const HealthDatabase = Type.Object({ connected: Type.Boolean(), total_downloads: Nullable(Type.Integer()) })
export const HealthQueue = Type.Object({
  pending: Type.Integer(),
  downloading: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
})
export const HealthWorker = Type.Object({ running: Type.Boolean(), active: Type.Integer(), max_concurrent: Type.Integer() })
/** Free space where downloads are written, against storage.min_free_disk_mb. */
export const HealthDisk = Type.Object({
  free_bytes: Nullable(Type.Integer({ description: 'null when the file system could not be asked' })),
  min_free_bytes: Type.Integer(),
  ok: Type.Boolean(),
})
export const HealthDownloader = Type.Object({ available: Type.Boolean(), version: Nullable(Type.String()) })
/** The yt-dlp the next attempt runs, and how current it is kept. */
export const HealthDownloaderReport = Type.Object({
  ...HealthDownloader.properties,
  age_days: Nullable(Type.Integer({ description: 'days since the release the version names; null when it is not a date' })),
  managed: Type.Boolean({ description: 'the server keeps yt-dlp current in <data_dir>/tools' }),
  last_update_check_at: Nullable({ ...Timestamp, description: 'the last update check; null when not managed or not checked yet' }),
})
export const HealthCheck = Type.Object(
  {
    name: Type.String({ description: 'what is checked: database, worker, disk, downloader, …' }),
    status: Type.String({ description: 'warn (degraded) or fail (unhealthy)' }),
    message: Type.String({ description: 'why, for a person' }),
  },
  { title: 'HealthCheck' },
)

export const Health = Type.Object(
  {
    status: Type.Enum(['healthy', 'degraded', 'unhealthy']),
    version: Type.String(),
    uptime_seconds: Type.Number(),
    timestamp: Timestamp,
    database: HealthDatabase,
    queue: HealthQueue,
    worker: HealthWorker,
    disk: HealthDisk,
    downloader: HealthDownloaderReport,
    checks: Type.Array(HealthCheck, { description: 'the reasons for degraded or unhealthy; empty when healthy' }),
  },
  { title: 'Health' },
)
export type Health = Static<typeof Health>
export type HealthWorker = Static<typeof HealthWorker>
export type HealthDisk = Static<typeof HealthDisk>
export type HealthDownloader = Static<typeof HealthDownloader>
