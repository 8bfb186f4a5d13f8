// The answer to a stored submission, as a pure function of the outcome: the writer thread imports
// it to store the Idempotency-Key replay inside the same commit as the row (a function cannot be
// sent to that thread), and the submission service builds the live answer with it.
import type { SubmitAccepted } from '../core/shapes.js'
import type { DownloadRow } from '../core/types.js'

export function submitAnswer(outcome: { kind: 'created' | 'duplicate'; row: DownloadRow }): { status_code: number; body: SubmitAccepted } {
  const { row } = outcome
  const body: SubmitAccepted = {
    success: true,
    download_id: row.id,
    status: row.status,
    message: outcome.kind === 'created' ? 'Download queued' : `Already ${row.status}`,
    submitted_at: row.submitted_at,
  }
  if (outcome.kind === 'duplicate') body.duplicate = true
  return { status_code: outcome.kind === 'created' ? 201 : 200, body }
}
