// Completed downloads with real files on disk, made the way the engine ends an attempt, for tests
// of what is served and shown afterwards.
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { NewDownloadFile } from '../../src/core/types.js'
import { createJobsRepository } from '../../src/db/jobs-repository.js'
import type { Db } from '../../src/db/open.js'

/** Completes a submitted download with real files on disk, as the engine does at the end of an attempt. */
export async function completeAlbum(services: { db: Db; downloadsDir: string }, id: string, files: Array<{ path: string; media: NewDownloadFile['media']; type: string; bytes: Buffer }>) {
  const jobs = createJobsRepository(services.db)
  const now = new Date().toISOString()
  assert.equal((await jobs.claimNext(now))?.id, id)
  for (const file of files) {
    await mkdir(path.dirname(path.join(services.downloadsDir, file.path)), { recursive: true })
    await writeFile(path.join(services.downloadsDir, file.path), file.bytes)
  }
  const outcome = await jobs.completeWithFiles(id, {
    title: 'Three things',
    uploader: 'someone',
    duration_seconds: null,
    thumbnail_url: null,
    extractor: 'Instagram',
    video_id: id.slice(0, 8),
    downloader: 'gallery-dl',
    files: files.map((file) => ({ media: file.media, filename: path.basename(file.path), file_path: file.path, file_size: file.bytes.length, content_type: file.type, width: 1080, height: 1350, duration_seconds: null })),
  }, now)
  assert.ok(outcome)
}

