// SPEC §3 crash recovery against the real server process and the real yt-dlp: kill -9 the server
// while yt-dlp is downloading, restart it, and the job completes, with never more than one yt-dlp
// process for it. yt-dlp runs in its own process group, so it outlives the killed server: the
// restarted server must find and stop it before it starts the job again.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { startMediaServer } from '../fixtures/media-server.js'
import { ensureFreshBuild, killLeftoverServers, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { tempDir } from '../helpers/test-app.js'

/** Live (not zombie) processes whose command line mentions `needle`. Linux /proc. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]
      // yt-dlp itself (the program, or its Python script), not a helper it runs on the same file
      // (ffmpeg or ffprobe for a fix-up, whose arguments name the job's folder too).
      const program = cmdline.split('\0').slice(0, 2).map((arg) => path.basename(arg))
      if (state !== 'Z' && cmdline.includes(needle) && program.some((name) => name.startsWith('yt-dlp'))) pids.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return pids
}

/** A process's command line for a failure message ('' once it has ended). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 300)
  } catch {
    return ''
  }
}

async function statusOf(server: ServerProcess, id: string) {
  const res = await server.request(`/api/v1/status/${id}`)
  assert.equal(res.status, 200, res.body)
  return JSON.parse(res.body) as { status: string; file_path: string | null; file_size: number | null; retry_count: number; error_message: string | null }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, onEach?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    onEach?.()
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

before(() => ensureFreshBuild())

test('kill -9 mid-download: after restart the job completes with exactly one yt-dlp', { timeout: 90_000 }, async (t) => {
  t.after(killLeftoverServers)
  const media = await startMediaServer({ slowBytesPerSecond: 100 * 1024 })
  t.after(() => media.close())
  const dir = tempDir(t, 'vds-crash-dl-')
  const config = {
    // Byte-exact with the source: no tags written into the finished file.
    downloads: { allowed_domains: ['127.0.0.1'], retry_delays_seconds: [0.5], embed_metadata: false },
    ytdlp: { path: 'yt-dlp' },
  }
  let server = await startServerProcess({ dir, config })
  const submitted = await server.request('/api/v1/download', { method: 'POST', json: { url: media.url('/slow.mp4') } })
  assert.equal(submitted.status, 201, submitted.body)
  const id = (JSON.parse(submitted.body) as { download_id: string }).download_id

  const [orphan] = await until('yt-dlp to start', 20_000, async () => {
    const pids = processesMentioning(id)
    return pids.length > 0 && (await statusOf(server, id)).status === 'downloading' ? pids : undefined
  })
  assert.equal((await server.stop('SIGKILL')).signal, 'SIGKILL')
  assert.deepEqual(processesMentioning(id), [orphan], 'yt-dlp outlives the killed server')

  // The second attempt can finish quickly; the orphan keeps its slow transfer.
  media.setSlowRate(50 * 1024 * 1024)
  let most = 0
  const seen: string[] = []
  const countProcesses = () => {
    const pids = processesMentioning(id)
    if (pids.length > most) seen.push(pids.map((pid) => `${pid}: ${commandLine(pid)}`).join('\n'))
    most = Math.max(most, pids.length)
  }
  server = await startServerProcess({ dir, config })
  const done = await until('the job to complete', 45_000, async () => {
    const status = await statusOf(server, id)
    assert.ok(status.status !== 'failed', `the job failed: ${status.error_message}`)
    return status.status === 'completed' ? status : undefined
  }, countProcesses)
  countProcesses()
  assert.equal(most, 1, `never two yt-dlp processes for one job:\n${seen.join('\n---\n')}`)
  assert.deepEqual(processesMentioning(id), [], 'no yt-dlp left once completed')
  assert.equal(done.retry_count, 0, 'a crash is not a failed attempt')
  assert.equal(done.file_size, media.largeVideo.size)
  assert.equal(statSync(path.join(dir, 'downloads', done.file_path!)).size, media.largeVideo.size)
  assert.deepEqual(readdirSync(path.join(dir, 'downloads', '.incomplete')).filter((name) => name === id), [], 'partial files cleaned')

  const exit = await server.stop('SIGTERM')
  assert.equal(exit.code, 0)
})

test('SIGTERM mid-download puts the job back to pending and stops yt-dlp; a restart finishes it', { timeout: 90_000 }, async (t) => {
  t.after(killLeftoverServers)
  const media = await startMediaServer({ slowBytesPerSecond: 100 * 1024 })
  t.after(() => media.close())
  const dir = tempDir(t, 'vds-sigterm-dl-')
  const config = { downloads: { allowed_domains: ['127.0.0.1'] }, ytdlp: { path: 'yt-dlp' } }
  let server = await startServerProcess({ dir, config })
  const submitted = await server.request('/api/v1/download', { method: 'POST', json: { url: media.url('/slow.mp4') } })
  const id = (JSON.parse(submitted.body) as { download_id: string }).download_id
  await until('yt-dlp to start', 20_000, async () => ((await statusOf(server, id)).status === 'downloading' ? true : undefined))

  assert.equal((await server.stop('SIGTERM')).code, 0)
  assert.deepEqual(processesMentioning(id), [], 'yt-dlp stopped with the server')
  const db = new Database(server.databaseFile, { readonly: true })
  const row = db.prepare('SELECT status, retry_count, worker_pid FROM downloads WHERE id = ?').get(id)
  db.close()
  assert.deepEqual(row, { status: 'pending', retry_count: 0, worker_pid: null }, 'back to pending, no retry counted')

  media.setSlowRate(50 * 1024 * 1024)
  server = await startServerProcess({ dir, config })
  const done = await until('the job to complete', 45_000, async () => {
    const status = await statusOf(server, id)
    return status.status === 'completed' ? status : undefined
  })
  assert.equal(done.retry_count, 0)
  assert.equal((await server.stop('SIGTERM')).code, 0)
})
