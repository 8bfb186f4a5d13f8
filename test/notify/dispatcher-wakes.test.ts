// Which status changes make the outbox dispatcher look at the outbox at once: only those that can
// have stored a notification event (an end, or a wait that carries its message, e.g. login_required).
// A submission or a start must not cost the event loop two outbox queries each.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate as turn } from 'node:timers/promises'
import pino from 'pino'
import { parseConfig } from '../../src/core/config.js'
import { DownloadEvents } from '../../src/core/events.js'
import type { DownloadsRepository } from '../../src/db/downloads-repository.js'
import type { NotificationsRepository } from '../../src/db/notifications-repository.js'
import { NotificationDispatcher } from '../../src/notify/dispatcher.js'

function dispatcherCountingPasses() {
  let passes = 0
  // Only what a pass with an empty outbox calls; anything else would throw and show here.
  const notifications = {
    pendingEvents: () => {
      passes++
      return []
    },
    dueDeliveries: () => [],
    earliestDelivery: () => undefined,
  } as unknown as NotificationsRepository
  const events = new DownloadEvents()
  const dispatcher = new NotificationDispatcher({
    config: parseConfig({}),
    notifications,
    downloads: {} as DownloadsRepository,
    events,
    log: pino({ level: 'silent' }),
    dataDir: '/nonexistent',
    baseUrl: 'https://127.0.0.1:8443',
    viewOf: () => {
      throw new Error('no download is sent in this test')
    },
    sweepMs: 60_000,
  })
  return { dispatcher, events, passes: () => passes }
}

test('the outbox is looked at for ends and messaged waits, not for submissions or starts', async (t) => {
  const { dispatcher, events, passes } = dispatcherCountingPasses()
  dispatcher.start()
  t.after(() => dispatcher.stop())
  await turn()
  const afterStart = passes()
  assert.equal(afterStart, 1, 'start looks once')

  for (let i = 0; i < 50; i++) events.emit('status', { id: `s${i}`, status: 'pending' })
  events.emit('status', { id: 'a', status: 'downloading' })
  events.emit('status', { id: 'b', status: 'cancelled', error_message: null })
  await turn()
  assert.equal(passes(), afterStart, 'no pass for submissions, a start or a cancel')

  for (const change of [
    { id: 'c', status: 'completed' as const },
    { id: 'd', status: 'failed' as const, error_message: 'HTTP Error 404' },
    { id: 'e', status: 'pending' as const, error_message: 'Instagram needs a login: add cookies' },
  ]) {
    const before = passes()
    events.emit('status', change)
    await turn()
    await turn()
    assert.equal(passes(), before + 1, `one pass for ${change.status}${change.error_message ? ' with a message' : ''}`)
  }
})
