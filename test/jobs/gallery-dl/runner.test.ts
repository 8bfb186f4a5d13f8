// @integration: real gallery-dl against the loopback media server
// Real gallery-dl (the system's and the current build) against the loopback media server.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parseConfig } from '../../../src/core/config.js'
import { createEgressProxy } from '../../../src/egress/egress-proxy.js'
import { postFacts } from '../../../src/jobs/gallery-dl/output.js'
import { classifyGalleryDlError } from '../../../src/jobs/gallery-dl/classify-error.js'
import { GalleryDlRunError, runGalleryDl } from '../../../src/jobs/gallery-dl/runner.js'
import { runTool } from '../../../src/jobs/media/run-tool.js'
import { findProcessesMentioning } from '../../../src/process/process-tree.js'
import { startMediaServer, type MediaServer } from '../../fixtures/media-server.js'
import { downloaderBuilds, downloaderVersion } from '../../helpers/downloaders.js'

let server: MediaServer
// Through the server's own egress proxy, as every attempt runs (the media server is on 127.0.0.1).
const egress = createEgressProxy({ allowedDomains: ['127.0.0.1'] })
before(async () => {
  server = await startMediaServer()
})
after(() => Promise.all([server.close(), egress.stop()]))

for (const build of downloaderBuilds()) {
  describe(`gallery-dl ${build.name} (${downloaderVersion(build.galleryDl)})`, () => {
    const run = async (url: string, extra: { deadlineMs?: number; extraArgs?: string[] } = {}) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'vds-gdl-'))
      const config = parseConfig({ gallery_dl: { path: build.galleryDl, extra_args: extra.extraArgs ?? [] } })
      const outputDir = path.join(dir, 'out')
      const cleanup = async () => {
        const leftovers = await findProcessesMentioning(dir)
        await rm(dir, { recursive: true, force: true })
        assert.deepEqual(leftovers, [], 'no gallery-dl left running')
      }
      const lease = await egress.openAttempt(path.basename(dir))
      const files = runGalleryDl({ url, config, outputDir, deadlineMs: extra.deadlineMs ?? Date.now() + 60_000, killGraceMs: 1_000, runTool, proxy: lease.url })
      files.finally(() => lease.close()).catch(() => {})
      return { files, outputDir, cleanup }
    }

    test('a direct JPEG through the directlink extractor: one file, inside the work folder, with metadata', async () => {
      const { files, outputDir, cleanup } = await run(server.url('/media/photo.jpg'))
      try {
        const [file, ...rest] = await files
        assert.deepEqual(rest, [])
        assert.ok(file!.path.startsWith(outputDir), file!.path)
        assert.deepEqual(await readFile(file!.path), await readFile(server.extraFiles['photo.jpg'].path))
        const facts = postFacts(file!.metadata)
        assert.deepEqual([facts.extractor, facts.video_id], ['directlink', 'photo'])
      } finally {
        await cleanup()
      }
    })

    test('a missing image fails as not_found, from its real error text', async () => {
      const { files, cleanup } = await run(server.url('/media/nothing-here.jpg'))
      try {
        const err = await files.then(() => assert.fail('must fail'), (e: unknown) => e)
        assert.ok(err instanceof GalleryDlRunError)
        assert.equal(classifyGalleryDlError(err.stderr, err.exitCode).code, 'not_found')
      } finally {
        await cleanup()
      }
    })

    test('a page no extractor takes fails as unsupported_url', async () => {
      const { files, cleanup } = await run(server.url('/page.html'))
      try {
        const err = (await files.catch((e: unknown) => e)) as GalleryDlRunError
        assert.equal(classifyGalleryDlError(err.stderr, err.exitCode).code, 'unsupported_url')
      } finally {
        await cleanup()
      }
    })

    test("the owner's extra_args are passed and still work", async () => {
      const { files, cleanup } = await run(server.url('/media/photo.webp'), { extraArgs: ['--no-part'] })
      try {
        assert.equal((await files).length, 1)
      } finally {
        await cleanup()
      }
    })
  })
}
