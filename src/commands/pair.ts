// `vds pair NAME [--scope submit|admin]`: a single-use pairing link for one phone, printed with a
// QR code to scan from the terminal. Works while the server runs (same database); the phone opens
// the link and claims its own key there.
import QRCode from 'qrcode'
import { loadConfig, resolvePaths } from '../core/config.js'
import { AppError } from '../core/errors.js'
import { KeyScope } from '../core/types.js'
import { openDatabase } from '../db/open.js'
import { createPairingsRepository } from '../db/pairings-repository.js'
import { NAME as KEY_NAME } from '../core/names.js'
import { createPairingService } from '../pairing/pairing-service.js'
import { ExitCode, stringOption, type CommandInput } from './command-input.js'

export interface PairOutput {
  out(text: string): void
  err(text: string): void
}

const processOutput: PairOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

const USAGE = `Usage:
  vds pair NAME [--scope submit|admin]   a pairing link + QR code for one phone (valid 15 minutes, once)
`

export async function pairCommand(input: CommandInput, output: PairOutput = processOutput): Promise<number> {
  const [name, ...extra] = input.positionals
  if (name === undefined || extra.length > 0 || !KEY_NAME.test(name)) {
    output.err(`Give one name for the phone's key (1-128 of A-Z a-z 0-9 . _ : @ -), e.g. "iphone-anna"\n\n${USAGE}`)
    return ExitCode.usage
  }
  const scope = stringOption(input, 'scope') ?? KeyScope.submit
  if (scope !== KeyScope.submit && scope !== KeyScope.admin) {
    output.err(`Invalid --scope "${scope}": use submit or admin\n`)
    return ExitCode.usage
  }
  const config = loadConfig({ file: input.configFile })
  const db = openDatabase(resolvePaths(config).dataDir)
  try {
    // A running server notices the key through the database; nothing to reload here. Another
    // process than the server: the pairing commits on this connection (an in-process writer).
    const service = createPairingService({ config, pairings: createPairingsRepository(db), keys: { reload: () => {} } })
    const pairing = await service.create(name, scope)
    const qr = await QRCode.toString(pairing.pair_url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' })
    output.out(`Scan this with the phone's camera, or open the link in Safari on the phone:\n\n${qr}\n  ${pairing.pair_url}\n\n`)
    output.out(`Valid once, until ${pairing.expires_at}. The phone gets its own key named "${name}" (${scope}).\n`)
    output.out('If the phone cannot open it, set server.public_url (or tls.hostnames) to a name the phone reaches.\n')
    return ExitCode.ok
  } catch (err) {
    if (err instanceof AppError) {
      output.err(`${err.message}\n`)
      return ExitCode.failure
    }
    throw err
  } finally {
    db.close()
  }
}
