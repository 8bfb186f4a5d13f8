// Entry point of the short-lived child process that generates certificates. The generator's
// libraries cost ~20 MB of RSS that a parent process would keep for months; a child returns all of
// it to the system when it exits. Protocol: one IssueRequest in, one IssuerReply out, then exit.
import { issueCertificates, type IssueRequest, type IssueResult } from './certificate-issuer.js'

/** The single message the child sends back. */
export type IssuerReply = { ok: true; result: IssueResult } | { ok: false; message: string }

process.once('message', (request: IssueRequest) => {
  issueCertificates(request).then(
    (result) => reply({ ok: true, result }),
    (err: unknown) => reply({ ok: false, message: err instanceof Error ? err.message : String(err) }),
  )
})

function reply(message: IssuerReply): void {
  process.send?.(message, () => process.exit(0))
}
