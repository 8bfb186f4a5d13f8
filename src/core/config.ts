// One schema for the whole configuration: it validates the YAML file, fills in defaults,
// converts environment overrides, and gives the TypeScript type. Nothing else reads config files.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { parse as parseYaml } from 'yaml'
import { PATH_TEMPLATE_PATTERN } from '../jobs/storage/path-template.js'
import { NAME_PATTERN } from './names.js'
import { ConfigError } from './errors.js'
import { normalizeAllowedEntry } from '../intake/url-policy.js'

const section = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, default: {} })

const NullableString = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description })

const ApiKeyEntry = Type.Union([
  Type.String({ minLength: 1, description: 'a key; its name is key-<n>' }),
  Type.Object(
    {
      name: Type.String({ pattern: NAME_PATTERN }),
      key: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
])

const NotificationEvent = Type.Enum(['completed', 'failed', 'login_required'])

export const ConfigSchema = Type.Object(
  {
    server: section({
      host: Type.String({ default: '0.0.0.0', description: 'address to listen on' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443 }),
      public_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
        default: null,
        description: 'base URL clients use; builds file_url and the iOS profile links',
      }),
      trusted_proxies: Type.Array(Type.String({ pattern: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' }), {
        default: [],
        description: 'addresses or CIDR ranges of reverse proxies whose X-Forwarded-For gives the client address',
      }),
    }),
    tls: section({
      enabled: Type.Boolean({ default: true }),
      cert_file: NullableString('PEM certificate chain; null generates a local CA'),
      key_file: NullableString('PEM private key for cert_file'),
      hostnames: Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description: 'extra names and addresses for the generated certificate',
      }),
    }),
    storage: section({
      data_dir: Type.String({ minLength: 1, default: './data' }),
      downloads_dir: Type.String({ minLength: 1, default: './downloads' }),
      min_free_disk_mb: Type.Integer({ minimum: 0, default: 500 }),
      path_template: Type.String({
        minLength: 1,
        pattern: PATH_TEMPLATE_PATTERN,
        default: '{site}/{uploader}/{title} [{video_id}]',
        description: 'where files go below downloads_dir; fields {site} {uploader} {title} {video_id} {date} {download_id}',
      }),
    }),
    downloads: section({
      max_concurrent: Type.Integer({ minimum: 1, maximum: 32, default: 2 }),
      timeout_seconds: Type.Integer({ minimum: 1, default: 300 }),
      retry_delays_seconds: Type.Array(Type.Number({ minimum: 0 }), { default: [60, 300, 900] }),
      allowed_domains: Type.Array(Type.String({ minLength: 1 }), { default: ['tiktok.com', 'instagram.com'] }),
      deduplicate: Type.Boolean({ default: true }),
      max_items_per_post: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
      ios_compatible: Type.Boolean({ default: true, description: 'remux or transcode to H.264/HEVC + AAC in MP4, images to JPEG' }),
      keep_original: Type.Boolean({ default: false, description: 'keep the downloaded file beside its iPhone-ready copy' }),
      embed_metadata: Type.Boolean({ default: true, description: 'title, uploader, date, source link and cover art in the file' }),
    }),
    ytdlp: section({
      path: Type.String({ minLength: 1, default: 'auto', description: "auto: the managed yt-dlp (tools.managed), else the installed one; else the owner's path, never replaced" }),
      cookies_file: NullableString('Netscape cookies file for sites that need a login'),
      user_agents: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
      rate_limit: Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?[KkMmGg]?$' }), Type.Null()], {
        default: null,
        description: 'download rate limit, e.g. 2M (bytes per second)',
      }),
      format: Type.String({
        minLength: 1,
        default: 'bv*[vcodec^=avc1][ext=mp4]+ba[ext=m4a]/b[ext=mp4]/bv*+ba/b',
        description: 'yt-dlp format selector; the default prefers H.264/AAC MP4 that iPhones play',
      }),
      extra_args: Type.Array(Type.String(), { default: [] }),
    }),
    gallery_dl: section({
      path: Type.String({ minLength: 1, default: 'auto', description: 'auto: the managed or installed gallery-dl; else the owner\'s path' }),
      extra_args: Type.Array(Type.String(), { default: [] }),
    }),
    tools: section({
      managed: Type.Boolean({ default: true, description: 'keep yt-dlp (and gallery-dl where possible) current in <data_dir>/tools' }),
      channel: Type.Enum(['stable', 'nightly'], { default: 'stable' }),
      ytdlp_version: NullableString('pin a release tag, e.g. 2026.10.26'),
      check_interval_hours: Type.Number({ minimum: 1, default: 24 }),
      ytdlp_release_url: NullableString('GitHub-release layout base URL; null: the official repository of the channel'),
      gallery_dl_release_url: NullableString('GitHub-release layout base URL for gallery-dl'),
    }),
    notifications: section({
      events: Type.Array(NotificationEvent, { default: ['completed', 'failed', 'login_required'] }),
      retry_delays_seconds: Type.Array(Type.Number({ minimum: 0 }), { default: [10, 60, 300, 1800] }),
      webhooks: Type.Array(
        Type.Object(
          {
            url: Type.String({ pattern: '^https?://' }),
            secret: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
            events: Type.Optional(Type.Array(NotificationEvent)),
          },
          { additionalProperties: false },
        ),
        { default: [] },
      ),
      ntfy: Type.Union(
        [
          Type.Object(
            {
              url: Type.String({ pattern: '^https?://' }),
              token: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
              events: Type.Optional(Type.Array(NotificationEvent)),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ],
        { default: null },
      ),
      web_push: Type.Object(
        {
          enabled: Type.Boolean({ default: true }),
          subject: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description: 'mailto: or https: contact for VAPID' }),
        },
        { additionalProperties: false, default: {} },
      ),
    }),
    security: section({
      require_api_key: Type.Boolean({ default: true }),
      api_keys: Type.Array(ApiKeyEntry, { default: [] }),
      rate_limit_per_hour: Type.Integer({ minimum: 0, default: 100, description: '0 turns the limit off' }),
      max_body_bytes: Type.Integer({ minimum: 256, maximum: 1048576, default: 8192 }),
      max_url_length: Type.Integer({ minimum: 32, maximum: 8192, default: 2048 }),
      max_submission_age_days: Type.Integer({ minimum: 1, default: 30 }),
      file_link_ttl_hours: Type.Number({ minimum: 0.01, default: 72 }),
      session_ttl_days: Type.Number({ minimum: 0.01, default: 30 }),
      max_event_streams: Type.Integer({ minimum: 1, default: 100 }),
    }),
    logging: section({
      level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
      file: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: './logs/server.log' }),
      max_size_mb: Type.Integer({ minimum: 1, default: 10 }),
      max_files: Type.Integer({ minimum: 1, default: 5 }),
    }),
  },
  { additionalProperties: false },
)

/** The validated configuration, with every default filled in. */
export type Config = Static<typeof ConfigSchema>
type ConfigSection = keyof Config

export { ConfigError }

export const DEFAULT_CONFIG_FILE = './config.yaml'
const ENV_PREFIX = 'VDS_'

export interface LoadConfigOptions {
  /** explicit file (from --config or VDS_CONFIG): it must exist */
  file?: string | undefined
  env?: NodeJS.ProcessEnv
}

/** Reads, merges and validates the configuration; throws ConfigError naming the bad key. */
export function loadConfig({ file, env = process.env }: LoadConfigOptions = {}): Config {
  const explicit = file ?? env.VDS_CONFIG
  const configPath = explicit ?? DEFAULT_CONFIG_FILE
  let raw: unknown = {}
  if (explicit !== undefined || existsSync(configPath)) {
    raw = readConfigFile(configPath)
  }
  return parseConfig(applyEnvOverrides(raw, env))
}

/** Validates a plain object (already merged) and fills in defaults. */
export function parseConfig(raw: unknown): Config {
  if (raw === null || raw === undefined) raw = {}
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('configuration must be a YAML mapping of sections (server, tls, storage, ...)')
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw))
  const first = Value.Errors(ConfigSchema, withDefaults).find((e) => e.keyword !== 'boolean')
  if (first) throw new ConfigError(describeError(first, withDefaults))
  const config = withDefaults as Config
  checkMeaning(config)
  return config
}

/** What the schema cannot say: entries that can never match, files given alone, unusable keys. */
function checkMeaning(config: Config): void {
  for (const entry of config.downloads.allowed_domains) {
    if (normalizeAllowedEntry(entry) === undefined) {
      throw new ConfigError(
        `config key "downloads.allowed_domains" has an entry that can never match a host: ${JSON.stringify(entry)}; ` +
          'write a bare domain or address (e.g. "tiktok.com", "192.0.2.7"), without scheme, path or port',
      )
    }
  }
  const { cert_file: certFile, key_file: keyFile } = config.tls
  if ((certFile === null) !== (keyFile === null)) {
    const [given, missing] = certFile === null ? ['tls.key_file', 'tls.cert_file'] : ['tls.cert_file', 'tls.key_file']
    throw new ConfigError(
      `config key "${missing}" is not set but "${given}" is: set both to use your own certificate, or neither for the automatic local CA`,
    )
  }
  const names = new Set<string>()
  config.security.api_keys.forEach((entry, index) => {
    const key = typeof entry === 'string' ? entry : entry.key
    // A header value cannot carry these, so such a key could never be presented.
    if (key.trim() !== key || /[^\x20-\x7e]/.test(key)) {
      throw new ConfigError(
        `config key "security.api_keys" entry ${index + 1} cannot be sent in a header: use printable ASCII without spaces at either end`,
      )
    }
    const name = typeof entry === 'string' ? `key-${index + 1}` : entry.name
    if (names.has(name)) throw new ConfigError(`config key "security.api_keys" names "${name}" twice: give each key its own name`)
    names.add(name)
  })
}

function readConfigFile(configPath: string): unknown {
  let text: string
  try {
    text = readFileSync(configPath, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${configPath}: ${(err as Error).message}`)
  }
  try {
    return parseYaml(text) ?? {}
  } catch (err) {
    throw new ConfigError(`config file ${configPath} is not valid YAML: ${(err as Error).message}`)
  }
}

/** VDS_<SECTION>__<KEY>=value overrides one key; lists are comma-separated. */
function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const merged = structuredClone((raw ?? {}) as Record<string, Record<string, unknown>>)
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || !name.includes('__') || value === undefined) continue
    const [sectionName, key, ...rest] = name.slice(ENV_PREFIX.length).toLowerCase().split('__')
    if (!sectionName || !key || rest.length > 0) throw new ConfigError(`${name}: expected VDS_<SECTION>__<KEY>`)
    const sectionSchema = ConfigSchema.properties[sectionName as ConfigSection]
    if (!sectionSchema) throw new ConfigError(`${name}: unknown config section "${sectionName}"`)
    const keySchema = (sectionSchema.properties as Record<string, TSchema>)[key]
    if (!keySchema) throw new ConfigError(`${name}: unknown config key "${sectionName}.${key}"`)
    merged[sectionName] = { ...(merged[sectionName] ?? {}), [key]: convertEnvValue(keySchema, value) }
  }
  return merged
}

function convertEnvValue(schema: TSchema, value: string): unknown {
  const kinds = JSON.stringify(schema)
  if (value === 'null' && kinds.includes('"type":"null"')) return null
  if ((schema as { type?: string }).type === 'array') {
    const items = value.trim() === '' ? [] : value.split(',').map((item) => item.trim())
    return Value.Convert(schema, items)
  }
  return Value.Convert(schema, value)
}

function describeError(error: { instancePath: string; message: string; params?: unknown }, value: unknown): string {
  const key = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
  const unknownKeys = (error.params as { additionalProperties?: string[] } | undefined)?.additionalProperties
  if (unknownKeys?.length) {
    const where = key ? `${key}.` : ''
    return `unknown config key "${where}${unknownKeys[0]}"`
  }
  const actual = key.split('.').reduce<unknown>((obj, part) => (obj as Record<string, unknown>)?.[part], value)
  return `config key "${key}" is invalid: ${error.message} (got ${JSON.stringify(actual)})`
}

/** Absolute paths for everything on disk, resolved once against the working directory. */
export function resolvePaths(config: Config, cwd = process.cwd()) {
  return {
    dataDir: path.resolve(cwd, config.storage.data_dir),
    downloadsDir: path.resolve(cwd, config.storage.downloads_dir),
    logFile: config.logging.file === null ? null : path.resolve(cwd, config.logging.file),
  }
}
