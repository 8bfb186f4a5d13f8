// Fills a fresh data folder with a long history, straight into SQLite through the real migrations
// (openDatabase), in one transaction: what a server that ran for years would hold.
import { randomUUID } from 'node:crypto'
import { closeDatabase, openDatabase } from '../src/db/open.js'

const YEAR_MS = 365 * 24 * 60 * 60 * 1000

export interface SeededDownloads {
  /** every `sampleEvery`-th download id, for lookups spread over the table */
  sampleIds: string[]
}

/** Inserts `count` downloads, mostly completed with full metadata, spread over the last 3 years. */
export function seedDownloads(dataDir: string, count: number, sampleEvery = 100): SeededDownloads {
  const db = openDatabase(dataDir)
  const sampleIds: string[] = []
  try {
    // Seeding only (the server reopens the file with its own pragmas, WAL included): a cache that
    // holds the random-UUID index, no fsync and no journal roughly halve the time of this transaction.
    db.pragma('cache_size = -1048576')
    db.pragma('synchronous = OFF')
    db.pragma('journal_mode = OFF')
    const insert = db.prepare(`
      INSERT INTO downloads (id, url, normalized_url, client_id, api_key_name, status, submitted_at, updated_at,
        started_at, completed_at, error_message, error_code, filename, file_path, file_size, title, uploader,
        duration_seconds, thumbnail_url, extractor, video_id)
      VALUES (@id, @url, @url, @client_id, 'default', @status, @at, @at, @at, @completed_at, @error_message, @error_code,
        @filename, @file_path, @file_size, @title, @uploader, @duration_seconds, @thumbnail_url, 'TikTok', @video_id)`)
    const firstMs = Date.now() - 3 * YEAR_MS
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = randomUUID()
        if (i % sampleEvery === 0) sampleIds.push(id)
        insert.run(downloadRow(i, id, new Date(firstMs + (i / count) * 3 * YEAR_MS).toISOString()))
      }
    })()
  } finally {
    closeDatabase(db)
  }
  return { sampleIds }
}

function downloadRow(i: number, id: string, at: string) {
  const videoId = `7${String(i).padStart(18, '0')}`
  const uploader = `creator${i % 5000}`
  // 1 in 50 failed, 1 in 200 cancelled, the rest completed: an owner's long-running history.
  const status = i % 50 === 0 ? 'failed' : i % 200 === 1 ? 'cancelled' : 'completed'
  const completed = status === 'completed'
  const filename = `${uploader} - Video ${i} [${videoId}].mp4`
  return {
    id,
    url: `https://www.tiktok.com/@${uploader}/video/${videoId}`,
    client_id: i % 3 === 0 ? 'ipad' : 'iphone',
    status,
    at,
    completed_at: completed ? at : null,
    error_message: status === 'failed' ? 'This video is private or was removed' : null,
    error_code: status === 'failed' ? 'video_unavailable' : null,
    filename: completed ? filename : null,
    file_path: completed ? `tiktok/${filename}` : null,
    file_size: completed ? 5_000_000 + (i % 20_000_000) : null,
    title: completed ? `Video ${i} with a caption of a realistic length #fyp #cats` : null,
    uploader: completed ? uploader : null,
    duration_seconds: completed ? 5 + (i % 175) : null,
    thumbnail_url: completed ? `https://p16-sign.tiktokcdn.com/obj/tos-maliva-p-0068/${videoId}.jpeg` : null,
    video_id: videoId,
  }
}
