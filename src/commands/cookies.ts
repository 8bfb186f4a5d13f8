// `vds cookies import SITE FILE | list | remove SITE`: per-site cookies in <data_dir>/cookies,
// through the same store the server uses. A running server watches that folder, so an import
// resumes the downloads waiting for a login on that site. Cookie values are never printed.
import { readFileSync } from 'node:fs'
import { loadConfig, resolvePaths } from '../core/config.js'
import { createCookieStore, InvalidCookiesError, InvalidSiteError, type CookieSiteInfo } from '../logins/cookie-store.js'
import { ExitCode, flag, type CommandInput } from './command-input.js'

const USAGE = 'usage: vds cookies import SITE FILE | vds cookies list [--json] | vds cookies remove SITE\n'

export interface CookiesCommandIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
}

const defaultIo = (): CookiesCommandIo => ({
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
})

export async function cookiesCommand(input: CommandInput, io: CookiesCommandIo = defaultIo()): Promise<number> {
  const [action, ...args] = input.positionals
  const config = loadConfig({ file: input.configFile, env: io.env })
  const store = createCookieStore(resolvePaths(config).dataDir)
  try {
    if (action === 'import' && args.length === 2) {
      let text: string
      try {
        text = readFileSync(args[1]!, 'utf8')
      } catch (error) {
        io.err(`vds: cannot read ${args[1]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`)
        return ExitCode.failure
      }
      const stored = store.put(args[0]!, text)
      const skipped = stored.skipped ? ` (${stored.skipped} cookie(s) of other sites left out)` : ''
      io.out(`stored ${stored.cookies} cookie(s) for ${stored.site}${skipped}; ${expiry(stored)}\n`)
      io.out('downloads waiting for a login on this site resume by themselves when the server runs\n')
      return ExitCode.ok
    }
    if (action === 'list' && args.length === 0) {
      const sites = store.list()
      if (flag(input, 'json')) io.out(`${JSON.stringify({ sites }, null, 2)}\n`)
      else io.out(sites.length ? sites.map((site) => `${site.site}: ${site.cookies} cookie(s), ${expiry(site)}, stored ${site.updated_at}\n`).join('') : 'no cookies stored\n')
      return ExitCode.ok
    }
    if (action === 'remove' && args.length === 1) {
      const site = store.normalize(args[0]!)
      if (!store.remove(site)) {
        io.err(`vds: no cookies are stored for ${site}\n`)
        return ExitCode.failure
      }
      io.out(`removed the cookies for ${site}\n`)
      return ExitCode.ok
    }
  } catch (error) {
    if (error instanceof InvalidCookiesError || error instanceof InvalidSiteError) {
      io.err(`vds: ${error.message}\n`)
      return ExitCode.failure
    }
    throw error
  }
  io.err(USAGE)
  return ExitCode.usage
}

function expiry(info: CookieSiteInfo): string {
  if (!info.earliest_expiry) return 'session cookies only (no expiry)'
  const past = Date.parse(info.earliest_expiry) <= Date.now()
  return `${past ? 'expired' : 'first expires'} ${info.earliest_expiry}`
}
