// SPEC §6 at least once: the server is killed with SIGKILL after a download completed and while its
// webhook is on the wire (the receiver holds the request unanswered). After a restart the same
// delivery (same X-VDS-Delivery) is sent again and, once answered 2xx, leaves the outbox.
import assert from 'node:assert/strict'
import path from 'node:path'
import { before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { startMediaServer } from '../fixtures/media-server.js'
import { ensureFreshBuild, killLeftoverServers, startServerProcess } from '../helpers/server-process.js'
import { tempDir } from '../helpers/test-app.js'
import { startReceiver } from '../notify/receivers.js'

before(() => ensureFreshBuild())

test('kill -9 between completion and delivery: the webhook is delivered after the restart, same delivery id', { timeout: 90_000 }, async (t) => {
  t.after(killLeftoverServers)
  const media = await startMediaServer()
  t.after(() => media.close())
  const receiver = await startReceiver()
  t.after(() => receiver.close())
  // First life: the request arrives and is never answered (a 0 status means "hold it").
  let answer = false
  receiver.respond = () => (answer ? 200 : 0)
  const dir = tempDir(t, 'vds-notify-kill9-')
  const config = {
    // Plain HTTP: certificate generation is not what this test is about, and it is slow on a busy machine.
    tls: { enabled: false },
    downloads: { allowed_domains: ['127.0.0.1'] },
    ytdlp: { path: 'yt-dlp' },
    notifications: { webhooks: [{ url: `${receiver.url}/hook`, secret: 'k9' }], retry_delays_seconds: [30] },
  }
  let server = await startServerProcess({ dir, config })
  const submitted = await server.request('/api/v1/download', { method: 'POST', json: { url: media.url('/video.mp4') } })
  assert.equal(submitted.status, 201, submitted.body)
  const id = (JSON.parse(submitted.body) as { download_id: string }).download_id
  const [first] = await receiver.waitFor(1, 45_000)
  assert.equal(JSON.parse(first!.body.toString()).download.download_id, id)
  assert.equal(JSON.parse(first!.body.toString()).download.status, 'completed')
  assert.equal((await server.stop('SIGKILL')).signal, 'SIGKILL')

  const database = new Database(path.join(dir, 'data', 'vds.sqlite3'), { readonly: true })
  const stored = database.prepare('SELECT id, attempts FROM notification_deliveries').all() as Array<{ id: string; attempts: number }>
  database.close()
  assert.equal(stored.length, 1, 'the unacknowledged delivery survived the kill')
  assert.equal(stored[0]!.id, first!.headers['x-vds-delivery'])

  answer = true
  server = await startServerProcess({ dir, config })
  const [, second] = await receiver.waitFor(2, 20_000)
  assert.equal(second!.headers['x-vds-delivery'], first!.headers['x-vds-delivery'])
  assert.equal(second!.headers['x-vds-event'], 'completed')
  // Acknowledged: gone from the outbox (deleted right after the 2xx).
  for (let i = 0; i < 100; i++) {
    const check = new Database(path.join(dir, 'data', 'vds.sqlite3'), { readonly: true })
    const left = (check.prepare('SELECT count(*) AS n FROM notification_deliveries').get() as { n: number }).n
    check.close()
    if (left === 0) break
    await sleep(50)
    if (i === 99) assert.fail('the delivery stayed in the outbox after a 2xx')
  }
  await sleep(300)
  assert.equal(receiver.requests.length, 2, 'sent once more, not more')
  await server.stop('SIGTERM')
})
