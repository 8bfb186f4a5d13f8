import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { placeFiles } from '../../../src/jobs/storage/place-files.js'

async function setUp(t: TestContext) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vds-place-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const downloads = path.join(dir, 'downloads')
  const work = path.join(downloads, '.incomplete', 'job')
  await mkdir(work, { recursive: true })
  let n = 0
  const made = async (content: string, extension = 'mp4') => {
    const source = path.join(work, `${n++}.${extension}`)
    await writeFile(source, content)
    return { source, extension }
  }
  return { dir, downloads, made }
}

test('two videos with the same title get two files; neither is overwritten', async (t) => {
  const { downloads, made } = await setUp(t)
  const parts = ['site', 'anna', 'Same title [id]']
  const [first] = await placeFiles(downloads, parts, [await made('first')], 'job1')
  const [second] = await placeFiles(downloads, parts, [await made('second')], 'job2')
  assert.equal(first, path.join('site', 'anna', 'Same title [id].mp4'))
  assert.equal(second, path.join('site', 'anna', 'Same title [id] (2).mp4'))
  assert.equal(await readFile(path.join(downloads, first!), 'utf8'), 'first')
  assert.equal(await readFile(path.join(downloads, second!), 'utf8'), 'second')
})

test('many downloads finishing at once with one name all get their own file', async (t) => {
  const { downloads, made } = await setUp(t)
  const sources = await Promise.all(Array.from({ length: 8 }, (_, i) => made(`video ${i}`)))
  const placed = await Promise.all(sources.map((source, i) => placeFiles(downloads, ['x', 'Clip'], [source], `job${i}`)))
  const names = placed.map(([file]) => file)
  assert.equal(new Set(names).size, 8)
  const contents = await Promise.all(names.map((file) => readFile(path.join(downloads, file!), 'utf8')))
  assert.deepEqual(contents.sort(), sources.map((_, i) => `video ${i}`).sort())
})

test('an album is a folder of numbered files in the post order, a second album a second folder', async (t) => {
  const { downloads, made } = await setUp(t)
  const files = [await made('a', 'jpg'), await made('b', 'mp4'), await made('c', 'jpg')]
  const placed = await placeFiles(downloads, ['site', 'Post [p1]'], files, 'job1')
  assert.deepEqual(placed, ['01.jpg', '02.mp4', '03.jpg'].map((name) => path.join('site', 'Post [p1]', name)))
  const again = await placeFiles(downloads, ['site', 'Post [p1]'], [await made('d', 'jpg'), await made('e', 'jpg')], 'job2')
  assert.equal(path.dirname(again[0]!), path.join('site', 'Post [p1] (2)'))
  assert.deepEqual(await readdir(path.join(downloads, 'site', 'Post [p1]')), ['01.jpg', '02.mp4', '03.jpg'])
})

test('a folder that is a symlink out of the downloads folder is refused', async (t) => {
  const { dir, downloads, made } = await setUp(t)
  const outside = path.join(dir, 'outside')
  await mkdir(outside)
  await symlink(outside, path.join(downloads, 'site'))
  const file = await made('x')
  await assert.rejects(placeFiles(downloads, ['site', 'name'], [file], 'job'), /not inside/)
  assert.deepEqual(await readdir(outside), [])
})
