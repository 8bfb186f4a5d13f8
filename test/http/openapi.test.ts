// The OpenAPI document is what generators need (SPEC §2): operationIds, named schemas, every status
// and content type a route answers with its headers, optional parameters not required, servers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/test-app.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'post', 'put', 'delete', 'patch']

async function openApi(t: Parameters<typeof buildTestApp>[0], config = {}) {
  const { app } = await buildTestApp(t, { config })
  const answer = await app.inject({ url: '/openapi.json' })
  assert.equal(answer.statusCode, 200, 'open without a key')
  return { app, doc: answer.json() as Json }
}

const parameter = (operation: Json, name: string): Json => ((operation.parameters ?? []) as Json[]).find((p) => p.name === name) ?? {}

test('every operation has a unique operationId and every route the app serves is described', async (t) => {
  const { doc } = await openApi(t)
  const ids: string[] = []
  for (const item of Object.values(doc.paths as Json)) {
    for (const method of METHODS) if (item[method]) ids.push(item[method].operationId)
  }
  assert.ok(ids.length >= 19, `${ids.length} operations`)
  assert.ok(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id)), ids.join(' '))
  assert.equal(new Set(ids).size, ids.length, 'unique')
  for (const id of ['submitDownload', 'getStatus', 'listHistory', 'getFile', 'getFileByIndex', 'deleteDownload', 'streamEvents', 'getHealth']) {
    assert.ok(ids.includes(id), id)
  }
})

test('shapes are named components, referenced where they are used', async (t) => {
  const { doc } = await openApi(t)
  const schemas = doc.components.schemas as Json
  for (const name of ['Download', 'DownloadFile', 'Progress', 'Error', 'Health', 'HealthCheck', 'SubmitRequest', 'SubmitAccepted', 'HistoryPage']) {
    assert.ok(schemas[name], name)
  }
  const status = doc.paths['/api/v1/status/{download_id}'].get
  assert.deepEqual(status.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/Download' })
  assert.deepEqual(status.responses['404'].content['application/json'].schema, { $ref: '#/components/schemas/Error' })
  assert.deepEqual(schemas.Download.properties.progress, { $ref: '#/components/schemas/Progress' })
  assert.deepEqual(schemas.Download.properties.files.items, { $ref: '#/components/schemas/DownloadFile' })
  assert.deepEqual(doc.paths['/api/v1/history'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/HistoryPage' })
  // Named schemas are not also written out inline somewhere.
  assert.doesNotMatch(JSON.stringify(doc.paths), /"title":/)
})

test('optional parameters are not required; the download id is a uuid', async (t) => {
  const { doc } = await openApi(t)
  const history = doc.paths['/api/v1/history'].get
  for (const name of ['limit', 'offset', 'status', 'client_id', 'q']) assert.equal(parameter(history, name).required, false, name)
  assert.equal(parameter(history, 'limit').schema.default, 50)
  assert.equal(parameter(doc.paths['/api/v1/downloads/{download_id}'].delete, 'delete_file').required, false)
  assert.equal(parameter(doc.paths['/api/v1/status/{download_id}'].get, 'wait').required, false)
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const id = item[method] && parameter(item[method], 'download_id')
      if (id && path.startsWith('/api/v1/downloads')) assert.equal(id.schema.format, 'uuid', `${method} ${path}`)
    }
  }
})

test('file routes answer binary 200/206 with their headers and 416 with Content-Range', async (t) => {
  const { doc } = await openApi(t)
  for (const path of ['/api/v1/downloads/{download_id}/file', '/api/v1/downloads/{download_id}/files/{index}', '/api/v1/links/{download_id}/{index}']) {
    const responses = doc.paths[path].get.responses
    for (const status of ['200', '206']) {
      assert.deepEqual(Object.keys(responses[status].content).sort(), ['application/octet-stream', 'audio/*', 'image/*', 'video/*'], `${path} ${status}`)
      assert.deepEqual(responses[status].content['video/*'].schema, { type: 'string', format: 'binary' })
      assert.ok(responses[status].headers['Content-Disposition'], `${path} ${status} Content-Disposition`)
    }
    assert.ok(responses['206'].headers['Content-Range'])
    assert.deepEqual(responses['416'].headers['Content-Range'], { $ref: '#/components/headers/Content-Range' })
    assert.ok(responses['404'])
  }
  const events = doc.paths['/api/v1/events'].get.responses['200'].content
  assert.ok(events['text/event-stream'])
  assert.ok(doc.paths['/metrics'].get.responses['200'].content['text/plain'])
})

test('answers list the headers they carry: request id everywhere, rate limits with a key, Retry-After on 429', async (t) => {
  const { doc } = await openApi(t)
  const submit = doc.paths['/api/v1/download'].post.responses
  assert.deepEqual(submit['201'].headers['X-Request-Id'], { $ref: '#/components/headers/X-Request-Id' })
  assert.ok(submit['201'].headers['X-RateLimit-Remaining'])
  assert.ok(submit['429'].headers['Retry-After'])
  assert.ok(submit['401'].headers['WWW-Authenticate'])
  const health = doc.paths['/api/v1/health'].get.responses
  assert.ok(health['200'].headers['X-Request-Id'])
  assert.equal(health['200'].headers['X-RateLimit-Remaining'], undefined, 'open routes send no rate-limit headers')
  assert.ok(doc.components.headers['X-Request-Id'].schema)
})

test('servers come from server.public_url; /docs opens without a key', async (t) => {
  const { doc } = await openApi(t)
  assert.deepEqual(doc.servers, [{ url: '/', description: 'this server' }])
  const { app, doc: published } = await openApi(t, { server: { public_url: 'https://vds.example.net:8443/' } })
  assert.deepEqual(published.servers, [{ url: 'https://vds.example.net:8443', description: 'server.public_url' }])
  let page = await app.inject({ url: '/docs' })
  for (let hops = 0; page.statusCode === 302 && hops < 3; hops++) page = await app.inject({ url: String(page.headers.location) })
  assert.equal(page.statusCode, 200)
  assert.match(String(page.headers['content-type']), /text\/html/)
})
