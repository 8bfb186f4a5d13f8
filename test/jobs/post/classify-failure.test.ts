// A failure after an egress refusal is the refusal's: permanent, with the address and the way to
// allow it; a proxy that cannot run makes downloads wait, not fail.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../../src/core/config.js'
import { classifyPostFailure, EgressUnavailableError, isDiskFull } from '../../../src/jobs/post/classify-failure.js'
import { RunFailureReason, YtDlpRunError } from '../../../src/jobs/ytdlp/runner.js'
import { GalleryDlRunError } from '../../../src/jobs/gallery-dl/runner.js'

const config = parseConfig({})
const forbidden = new YtDlpRunError(RunFailureReason.exit, 'yt-dlp exited with code 1', 'ERROR: unable to download video data: HTTP Error 403: Forbidden', 1)

test('a downloader that failed after a refusal fails as blocked_address, naming the address', () => {
  const verdict = classifyPostFailure(forbidden, config, [{ host: '127.0.0.2', address: '127.0.0.2', kind: 'loopback' }])
  assert.equal(verdict.code, 'blocked_address')
  assert.equal(verdict.kind, 'permanent')
  assert.match(verdict.message, /^The link led to 127\.0\.0\.2, a loopback address the server does not fetch\./)
  const named = classifyPostFailure(new GalleryDlRunError(RunFailureReason.exit, 'x', '', 1), config, [{ host: 'nas.lan', address: '192.168.1.5', kind: 'private' }])
  assert.match(named.message, /nas\.lan \(192\.168\.1\.5\), a private address/)
})

test('without a refusal the same 403 is the site\'s (transient), and a timeout stays a timeout', () => {
  assert.equal(classifyPostFailure(forbidden, config, []).code, 'http_forbidden')
  const timeout = new YtDlpRunError(RunFailureReason.timeout, 'slow')
  assert.equal(classifyPostFailure(timeout, config, [{ host: 'a', address: '10.0.0.1', kind: 'private' }]).code, 'timeout')
})

test('a proxy that cannot run: transient egress_unavailable', () => {
  const verdict = classifyPostFailure(new EgressUnavailableError("the downloaders' proxy could not listen on 127.0.0.1: EADDRNOTAVAIL"), config)
  assert.deepEqual([verdict.code, verdict.kind], ['egress_unavailable', 'transient'])
})

test('running out of space is told by the errno or an error line, never by a title in a warning', () => {
  const exit = (stderr: string, make = (m: string, s: string) => new YtDlpRunError(RunFailureReason.exit, m, s, 1)) => make('exited', stderr)
  assert.ok(isDiskFull(exit('ERROR: unable to write data: [Errno 28] No space left on device')))
  assert.ok(isDiskFull(exit('[gallery-dl][error] OSError: [Errno 28] No space left on device', (m, s) => new GalleryDlRunError(RunFailureReason.exit, m, s, 1))))
  assert.ok(isDiskFull(Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' })))
  assert.ok(!isDiskFull(exit('WARNING: [generic] title "No space left on device" [Errno 28]\nERROR: HTTP Error 404: Not Found')))
  assert.ok(!isDiskFull(forbidden))
})
