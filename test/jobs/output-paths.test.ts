import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { confineToDownloads, jobWorkDir, relativeInside, removePartialFiles } from '../../src/jobs/output-paths.js'

test('only regular files inside the downloads folder are accepted as results', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vds-confine-'))
  t.after(() => rm(root, { recursive: true, force: true }))
  const downloads = path.join(root, 'downloads')
  await mkdir(path.join(downloads, 'sub'), { recursive: true })
  await writeFile(path.join(downloads, 'sub', 'ok.mp4'), 'x')
  await writeFile(path.join(root, 'outside.mp4'), 'x')
  await symlink(path.join(root, 'outside.mp4'), path.join(downloads, 'link.mp4'))
  await symlink(root, path.join(downloads, 'escape'))

  assert.equal(await confineToDownloads(downloads, path.join(downloads, 'sub', 'ok.mp4')), path.join('sub', 'ok.mp4'))
  await assert.rejects(confineToDownloads(downloads, path.join(root, 'outside.mp4')), /outside the downloads folder/)
  await assert.rejects(confineToDownloads(downloads, path.join(downloads, '..', 'outside.mp4')), /outside the downloads folder/)
  await assert.rejects(confineToDownloads(downloads, path.join(downloads, 'link.mp4')), /not a regular file/)
  await assert.rejects(confineToDownloads(downloads, path.join(downloads, 'escape', 'outside.mp4')), /outside the downloads folder/)

  const work = jobWorkDir(downloads, 'job-1')
  await mkdir(work, { recursive: true })
  await writeFile(path.join(work, 'half.mp4.part'), 'x')
  await assert.rejects(confineToDownloads(downloads, path.join(work, 'half.mp4.part')), /outside the downloads folder/)
  await removePartialFiles(downloads, 'job-1')
  await removePartialFiles(downloads, 'job-1')
  await assert.rejects(confineToDownloads(downloads, path.join(work, 'half.mp4.part')), /ENOENT/)
})

test('names that start with dots stay inside; only a real ".." segment is outside', () => {
  const root = path.join(path.sep, 'srv', 'downloads')
  assert.equal(relativeInside(root, path.join(root, '...wait for it [x].mp4')), '...wait for it [x].mp4')
  assert.equal(relativeInside(root, path.join(root, '..⧸..⧸x [id].mp4')), '..⧸..⧸x [id].mp4')
  assert.equal(relativeInside(root, path.join(root, 'a', '..hidden', 'b.mp4')), path.join('a', '..hidden', 'b.mp4'))
  assert.equal(relativeInside(root, path.join(root, '..', 'x.mp4')), undefined)
  assert.equal(relativeInside(root, path.dirname(root)), undefined)
  assert.equal(relativeInside(root, root), undefined)
  assert.equal(relativeInside(root, path.join(path.sep, 'srv', 'downloads-other', 'x.mp4')), undefined)
})
