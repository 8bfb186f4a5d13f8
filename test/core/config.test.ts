import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { ConfigError, loadConfig, parseConfig } from '../../src/core/config.js'
import { tempDir } from '../helpers/test-app.js'

test('defaults match SPEC §4', () => {
  const config = parseConfig({})
  assert.deepEqual(config.server, { host: '0.0.0.0', port: 8443, public_url: null, trusted_proxies: [] })
  assert.deepEqual(config.tls, { enabled: true, cert_file: null, key_file: null, hostnames: [] })
  assert.deepEqual(config.storage, {
    data_dir: './data', downloads_dir: './downloads', min_free_disk_mb: 500, path_template: '{site}/{uploader}/{title} [{video_id}]',
  })
  assert.equal(config.downloads.max_items_per_post, 50)
  assert.equal(config.downloads.ios_compatible, true)
  assert.equal(config.downloads.embed_metadata, true)
  assert.deepEqual(config.gallery_dl, { path: 'auto', extra_args: [] })
  assert.deepEqual(config.tools, {
    managed: true, channel: 'stable', ytdlp_version: null, check_interval_hours: 24, ytdlp_release_url: null, gallery_dl_release_url: null,
  })
  assert.deepEqual(config.notifications, {
    events: ['completed', 'failed', 'login_required'], retry_delays_seconds: [10, 60, 300, 1800],
    webhooks: [], ntfy: null, web_push: { enabled: true, subject: null },
  })
  assert.equal(config.downloads.max_concurrent, 2)
  assert.equal(config.downloads.timeout_seconds, 300)
  assert.deepEqual(config.downloads.retry_delays_seconds, [60, 300, 900])
  assert.deepEqual(config.downloads.allowed_domains, ['tiktok.com', 'instagram.com'])
  assert.equal(config.downloads.deduplicate, true)
  assert.equal(config.ytdlp.path, 'auto')
  assert.deepEqual(config.tools, { managed: true, channel: 'stable', ytdlp_version: null, check_interval_hours: 24, ytdlp_release_url: null, gallery_dl_release_url: null })
  assert.deepEqual(config.security, {
    require_api_key: true, api_keys: [], rate_limit_per_hour: 100, max_body_bytes: 8192,
    max_url_length: 2048, max_submission_age_days: 30, file_link_ttl_hours: 72, session_ttl_days: 30, max_event_streams: 100,
  })
  assert.deepEqual(config.logging, { level: 'info', file: './logs/server.log', max_size_mb: 10, max_files: 5 })
})

test('config.example.yaml is valid and documents every key with its default', () => {
  const example = loadConfig({ file: path.resolve('config.example.yaml'), env: {} })
  assert.deepEqual(example, parseConfig({}))
})

test('a file sets keys; VDS_<SECTION>__<KEY> overrides them; lists are comma-separated', (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'config.yaml')
  writeFileSync(file, 'server:\n  port: 9000\ndownloads:\n  allowed_domains: [example.com]\n')
  const config = loadConfig({
    file,
    env: {
      VDS_SERVER__PORT: '9443',
      VDS_DOWNLOADS__ALLOWED_DOMAINS: 'tiktok.com, vimeo.com',
      VDS_DOWNLOADS__RETRY_DELAYS_SECONDS: '1,2.5',
      VDS_TLS__ENABLED: 'false',
      VDS_YTDLP__COOKIES_FILE: 'null',
      HOME: '/root',
    },
  })
  assert.equal(config.server.port, 9443)
  assert.deepEqual(config.downloads.allowed_domains, ['tiktok.com', 'vimeo.com'])
  assert.deepEqual(config.downloads.retry_delays_seconds, [1, 2.5])
  assert.equal(config.tls.enabled, false)
  assert.equal(config.ytdlp.cookies_file, null)
})

test('VDS_CONFIG names the file; an explicit file that is missing is an error', (t) => {
  const dir = tempDir(t)
  const file = path.join(dir, 'custom.yaml')
  writeFileSync(file, 'server: { port: 1234 }\n')
  assert.equal(loadConfig({ env: { VDS_CONFIG: file } }).server.port, 1234)
  assert.throws(() => loadConfig({ file: path.join(dir, 'missing.yaml'), env: {} }), /cannot read config file/)
})

test('wrong values and unknown keys stop start-up with a message naming the key', (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ server: { port: 70000 } }, /"server\.port"/],
    [{ server: { port: 'x' } }, /"server\.port"/],
    [{ server: { prot: 1 } }, /unknown config key "server\.prot"/],
    [{ serve: {} }, /unknown config key "serve"/],
    [{ downloads: { max_concurrent: 0 } }, /"downloads\.max_concurrent"/],
    [{ downloads: { retry_delays_seconds: [1, -1] } }, /"downloads\.retry_delays_seconds\.1"/],
    [{ logging: { level: 'loud' } }, /"logging\.level"/],
    [{ security: { api_keys: [''] } }, /"security\.api_keys\.0"/],
    [{ ytdlp: { rate_limit: 'fast' } }, /"ytdlp\.rate_limit"/],
    [['a'], /YAML mapping/],
  ]
  for (const [raw, message] of cases) {
    assert.throws(() => parseConfig(raw), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(raw))
  }
  const dir = tempDir(t)
  const file = path.join(dir, 'bad.yaml')
  writeFileSync(file, 'server: [unclosed\n')
  assert.throws(() => loadConfig({ file, env: {} }), /not valid YAML/)
  assert.throws(() => loadConfig({ env: { VDS_SERVER__NOPE: '1' } }), /unknown config key "server\.nope"/)
  assert.throws(() => loadConfig({ env: { VDS_NOPE__PORT: '1' } }), /unknown config section "nope"/)
  assert.throws(() => loadConfig({ env: { VDS_SERVER__PORT: 'abc' } }), /"server\.port"/)
})

test('short configured keys are accepted (the owner chose them), in both forms', () => {
  const config = parseConfig({ security: { api_keys: ['test-key', { name: 'phone', key: 'abc123' }] } })
  assert.deepEqual(config.security.api_keys, ['test-key', { name: 'phone', key: 'abc123' }])
})
