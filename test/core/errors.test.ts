// The error catalogue is the contract's error table: docs/api.md lists exactly the codes the server
// can answer, each with the status it answers. Both are read here, so neither can drift alone.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { AppError, coerceError, ERROR_CATALOGUE, type ErrorCode } from '../../src/core/errors.js'

const root = path.resolve(import.meta.dirname, '../..')

/** The rows of the "### Error codes" table of docs/api.md as code → status. */
function documentedCodes(): Map<string, number> {
  const doc = readFileSync(path.join(root, 'docs/api.md'), 'utf8')
  const section = doc.split(/^### Error codes$/m)[1]?.split(/^#/m)[0]
  assert.ok(section, 'docs/api.md has a "### Error codes" section')
  const rows = new Map<string, number>()
  for (const line of section.split('\n')) {
    const row = /^\| (\d{3}) \| `([a-z_]+)` \|/.exec(line)
    if (!row) continue
    assert.ok(!rows.has(row[2]!), `docs/api.md lists ${row[2]} twice`)
    rows.set(row[2]!, Number(row[1]))
  }
  assert.ok(rows.size > 10, 'the table was found and read')
  return rows
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith('.ts') ? [full] : []
  })
}

test('docs/api.md lists every code of the catalogue with its status, and no other', () => {
  const documented = documentedCodes()
  const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, [status]]) => [code, status as number]))
  const missing = [...catalogue].filter(([code, status]) => documented.get(code) !== status)
  const extra = [...documented].filter(([code]) => !catalogue.has(code))
  assert.deepEqual(missing, [], 'codes the server answers that docs/api.md lacks (or shows with another status)')
  assert.deepEqual(extra, [], 'codes docs/api.md lists that the server never answers')
})

test('every code an AppError is built with in src/ is in the catalogue, and every catalogue code is used', () => {
  const others = sourceFiles(path.join(root, 'src')).filter((file) => !file.endsWith(path.join('core', 'errors.ts')))
  const text = others.map((file) => readFileSync(file, 'utf8')).join('\n')
  // Literal codes at the throw sites (types catch them too; this catches an `as` cast).
  for (const [, code] of text.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) {
    assert.ok(code! in ERROR_CATALOGUE, `src/ throws AppError('${code}') that the catalogue lacks`)
  }
  // A code no file names is one the server never answers, so the doc would promise it for nothing.
  // (these come from coerceError and storageUnavailable in errors.ts itself.)
  const fromErrorsModule = new Set(['bad_request', 'internal_error', 'storage_unavailable', 'validation_error', 'payload_too_large', 'invalid_content_length'])
  const unused = Object.keys(ERROR_CATALOGUE).filter((code) => !fromErrorsModule.has(code) && !text.includes(`'${code}'`))
  assert.deepEqual(unused, [], 'catalogue codes nothing in src/ answers')
})

test('the status comes from the catalogue; a thrower may pass only a better message', () => {
  for (const [code, [status, message]] of Object.entries(ERROR_CATALOGUE)) {
    const error = new AppError(code as ErrorCode)
    assert.equal(error.statusCode, status, code)
    assert.equal(error.message, message, code)
    assert.ok(/^[a-z]+(_[a-z]+)*$/.test(code), `${code} is snake_case`)
    assert.ok(message.length > 0 && !message.includes('/work/'), `${code} has a plain message`)
  }
  assert.equal(new AppError('rate_limited', 'wait 5 s', { 'retry-after': '5' }).message, 'wait 5 s')
})

test("Fastify's errors map onto catalogue codes; an unknown 4xx keeps its status as bad_request", () => {
  assert.deepEqual(pick(coerceError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })), [413, 'payload_too_large'])
  assert.deepEqual(pick(coerceError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })), [400, 'invalid_json'])
  assert.deepEqual(pick(coerceError(Object.assign(new Error('Precondition Failed'), { statusCode: 412 }))), [412, 'bad_request'])
  assert.deepEqual(pick(coerceError(new Error('boom'))), [500, 'internal_error'])
  assert.equal(coerceError(new Error('boom at /srv/vds/data')).message, 'Internal server error')
})

const pick = (error: AppError) => [error.statusCode, error.code]
