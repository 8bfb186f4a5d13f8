// The config file `vds init` writes: the documented example shipped at the repo root, or a short
// fallback when the package was installed without it.
import { readFileSync } from 'node:fs'
import { packagePath } from '../core/package-root.js'

const EXAMPLE_CONFIG = packagePath('config.example.yaml')

const FALLBACK_CONFIG = `# Video Download Server configuration. Every key is optional; the defaults are shown.
# Environment variables override single keys: VDS_<SECTION>__<KEY>, e.g. VDS_SERVER__PORT=9443.

server:
  host: 0.0.0.0          # address to listen on (0.0.0.0 = every interface)
  port: 8443
  public_url: null       # e.g. https://nas.local:8443 when clients use another name

tls:
  enabled: true
  cert_file: null        # null: a local CA and certificate are generated under storage.data_dir/tls
  key_file: null
  hostnames: []          # extra names or addresses the generated certificate should cover

storage:
  data_dir: ./data
  downloads_dir: ./downloads
  min_free_disk_mb: 500  # the queue pauses below this

downloads:
  max_concurrent: 2
  timeout_seconds: 300
  retry_delays_seconds: [60, 300, 900]
  allowed_domains: [tiktok.com, instagram.com]
  deduplicate: true

security:
  require_api_key: true  # keys made by \`vds init\` / \`vds keys add\` are stored hashed in the database
  api_keys: []
  rate_limit_per_hour: 100

logging:
  level: info
  file: ./logs/server.log
`

/** The starter config text and where it came from (for the message `vds init` prints). */
export function starterConfig(): { text: string; source: string } {
  try {
    return { text: readFileSync(EXAMPLE_CONFIG, 'utf8'), source: 'config.example.yaml' }
  } catch {
    return { text: FALLBACK_CONFIG, source: 'built-in defaults' }
  }
}
