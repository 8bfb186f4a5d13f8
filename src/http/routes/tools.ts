// The downloaders (SPEC §2): what runs and how current it is, and "check and update now".
// Admin only; answers carry no paths (the managed copy lives in <data_dir>/tools).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppDeps } from '../app-deps.js'
import { errorResponses } from '../schemas.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Timestamp = Type.String({ format: 'date-time' })

const ToolName = Type.Enum(['yt-dlp', 'gallery-dl'])

export const ToolInfo = Type.Object(
  {
    name: ToolName,
    kind: Type.Enum(['managed', 'system', 'owner'], { description: "managed: the server's copy; system: the installed one; owner: the configured path" }),
    managed: Type.Boolean({ description: 'the server keeps this downloader current' }),
    available: Type.Boolean(),
    version: Nullable(Type.String()),
    age_days: Nullable(Type.Integer()),
    release: Nullable(Type.String({ description: 'release tag of the managed copy' })),
    pinned: Nullable(Type.String({ description: 'tools.ytdlp_version' })),
    last_check_at: Nullable(Timestamp),
    last_check_ok: Nullable(Type.Boolean()),
    last_check_message: Nullable(Type.String()),
    failed_checks: Type.Integer(),
  },
  { additionalProperties: false },
)

const ToolList = Type.Object({ tools: Type.Array(ToolInfo) })

const UpdateOutcome = Type.Object({
  name: ToolName,
  ok: Type.Boolean({ description: 'the check itself worked' }),
  updated: Type.Boolean({ description: 'a new release is now the one that runs' }),
  version: Nullable(Type.String()),
  message: Type.String(),
})
const UpdateResults = Type.Object({ results: Type.Array(UpdateOutcome), tools: Type.Array(ToolInfo) })

export const toolsRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get(
    '/api/v1/tools',
    {
      config: { access: 'admin' },
      schema: { operationId: 'listTools', summary: 'The downloaders: managed or not, version, age, last update check', response: { 200: ToolList, ...errorResponses(401, 403) } },
    },
    async () => ({ tools: await deps.tools.statuses() }),
  )

  app.post(
    '/api/v1/tools/update',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'updateTools',
        summary: 'Check every downloader now and install a new release where there is one',
        response: { 200: UpdateResults, ...errorResponses(401, 403) },
      },
    },
    async () => {
      const results = await deps.tools.checkNow()
      return { results, tools: await deps.tools.statuses() }
    },
  )
}
