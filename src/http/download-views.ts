// Download objects for one reader: rows joined with their files, each file with the link that
// reader may use. Routes and the event stream build views only through here.
import type { FastifyRequest } from 'fastify'
import { ANONYMOUS_NAME, type DownloadRow } from '../core/types.js'
import type { DownloadFilesRepository } from '../db/download-files-repository.js'
import { toDownloadView, type FileLinker } from './download-view.js'
import type { FileLinks } from '../links/file-links.js'
import type { LinkBases } from '../links/link-base.js'
import type { Download } from './schemas.js'

export interface DownloadViewsDeps {
  files: DownloadFilesRepository
  /** the links of files for the caller of this request */
  linkerFor: (request: FastifyRequest) => FileLinker
}

export interface DownloadViews {
  one(row: DownloadRow): Download
  many(rows: readonly DownloadRow[]): Download[]
}

export function viewsFor(deps: DownloadViewsDeps, request: FastifyRequest): DownloadViews {
  const linkFor = deps.linkerFor(request)
  return {
    one: (row) => toDownloadView(row, deps.files.filesOf(row), linkFor),
    many: (rows) => {
      const files = deps.files.filesOfMany(rows)
      return rows.map((row) => toDownloadView(row, files.get(row.id) ?? [], linkFor))
    },
  }
}

/**
 * Signed links for the caller of a request (no key needed to open them), absolute or relative as
 * the request's Host allows. Callers without a principal (open routes) get no links.
 */
export function signedLinkerFor(links: FileLinks, bases: LinkBases): (request: FastifyRequest) => FileLinker {
  return (request) => {
    const keyName = request.principal?.name
    if (!keyName) return () => null
    const base = bases.forRequest(request.headers.host)
    return (file) => {
      const signed = links.signedPath(file, keyName)
      return signed && base + signed
    }
  }
}

/** Absolute signed links for a notification about this download, made for the key that submitted it. */
export function notificationLinker(links: FileLinks, bases: LinkBases, row: DownloadRow): FileLinker {
  const base = bases.forNotification()
  return (file) => {
    const signed = links.signedPath(file, row.api_key_name ?? ANONYMOUS_NAME)
    return signed && base + signed
  }
}
