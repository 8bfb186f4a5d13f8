// Pairing routes (SPEC §2): an admin makes a code; the phone's page and its claim are open (the code
// is the credential). Unknown codes count as failed guesses per address, like wrong keys.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../../core/errors.js'
import { KeyScope } from '../../core/types.js'
import { publicBaseUrl } from '../../core/public-address.js'
import { pairingExpired, pairingUnknown, type PairingService } from '../../pairing/pairing-service.js'
import { renderPairingGone, renderPairingPage, type ShortcutFileLink } from '../../pairing/pair-page.js'
import { SHORTCUT_GUIDES } from '../../pairing/shortcut-steps.js'
import type { SignedShortcut } from '../../pairing/shortcut-files/shortcut-signer.js'
import { pairingQrSvg } from '../../pairing/pair-qr.js'
import type { AppDeps } from '../app-deps.js'
import { createAuthFailureTracker } from '../plugins/auth-failures.js'
import { errorResponses } from '../schemas.js'

const PairingBody = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9._:@-]{1,128}$', description: 'key name for the phone, e.g. iphone-anna; also its default client_id' }),
    scope: Type.Optional(Type.Enum([KeyScope.submit, KeyScope.admin], { default: KeyScope.submit })),
  },
  { additionalProperties: false },
)
const NewPairing = Type.Object(
  {
    code: Type.String(),
    pair_url: Type.String({ description: 'the link the phone opens (once, until expires_at)' }),
    expires_at: Type.String({ format: 'date-time' }),
    qr_svg: Type.String({ description: 'pair_url as a QR code: a standalone image/svg+xml document for the phone camera' }),
  },
  { title: 'NewPairing' },
)
const ClaimedKey = Type.Object({ key: Type.String(), name: Type.String(), scope: Type.Enum([KeyScope.submit, KeyScope.admin]), server_url: Type.String() }, { title: 'ClaimedKey' })
const CodeParams = Type.Object({ code: Type.String() })
const ShortcutFileParams = Type.Object({ code: Type.String(), file: Type.String() })

const noSignedShortcuts = () =>
  new AppError('not_found', 'This server offers no signed Shortcuts (they are made only where it runs on macOS): build them with the steps on the pairing page')

/** The page's links to the signed files; the code in the path is what lets the phone fetch them. */
const fileLinks = (code: string, files: readonly SignedShortcut[]): ShortcutFileLink[] =>
  files.map((file) => ({
    name: file.name,
    purpose: SHORTCUT_GUIDES.find((guide) => guide.name === file.name)?.purpose ?? '',
    href: `/pair/${encodeURIComponent(code)}/shortcuts/${file.slug}.shortcut`,
  }))

const tooManyGuesses = (seconds: number) =>
  new AppError('too_many_pairing_attempts', `Too many wrong pairing codes from this address; try again in ${seconds} s`, { 'retry-after': String(seconds) })

export const pairingRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const pairing: PairingService = deps.pairing
  const guesses = createAuthFailureTracker({ threshold: 5 })

  /** Throws 429 while the address is refused; after an unknown code, counts it. */
  const guarded = async <T>(request: FastifyRequest, lookUp: () => T | Promise<T>): Promise<T> => {
    const wait = guesses.secondsBlocked(request.ip)
    if (wait > 0) throw tooManyGuesses(wait)
    try {
      return await lookUp()
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 404) {
        const blocked = guesses.recordFailure(request.ip)
        request.log.warn({ remote_address: request.ip, blocked_seconds: blocked }, 'unknown pairing code')
      }
      throw err
    }
  }

  app.post(
    '/api/v1/pairings',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createPairing',
        summary: 'A single-use pairing link (15 minutes) that gives a phone its own key',
        body: PairingBody,
        response: { 201: NewPairing, ...errorResponses(400, 401, 403, 409, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const created = await pairing.create(request.body.name, request.body.scope ?? KeyScope.submit)
      return reply.code(201).header('cache-control', 'no-store').send({ ...created, qr_svg: await pairingQrSvg(created.pair_url) })
    },
  )

  app.post(
    '/api/v1/pairings/:code/claim',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'claimPairing',
        summary: 'Use a pairing code: the new key, once (no API key needed)',
        security: [],
        params: CodeParams,
        response: { 201: ClaimedKey, ...errorResponses(404, 409, 410, 429, 503) },
      },
    },
    async (request, reply) => {
      const claimed = await guarded(request, () => pairing.claim(request.params.code))
      request.log.info({ key_name: claimed.name, scope: claimed.scope }, 'phone paired')
      return reply.code(201).header('cache-control', 'no-store').send(claimed)
    },
  )

  app.get(
    '/pair/:code',
    { config: { access: 'public' }, schema: { hide: true, params: CodeParams } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8')
      try {
        const seen = await guarded(request, () => {
          const state = pairing.peek(request.params.code)
          if (state.state === 'unknown') throw pairingUnknown()
          if (state.state === 'expired') throw pairingExpired()
          return state.row
        })
        const serverUrl = publicBaseUrl(deps.config)
        const signed = await deps.shortcutFiles.files(serverUrl)
        return renderPairingPage({
          code: request.params.code,
          name: seen.name,
          expiresAt: seen.expires_at,
          serverUrl,
          localCa: deps.caCert() !== null,
          shortcutFiles: signed && fileLinks(request.params.code, signed),
        })
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode === 429) throw err
        return reply.code(err.statusCode).send(renderPairingGone(err.message))
      }
    },
  )

  app.get(
    '/pair/:code/shortcuts/:file',
    { config: { access: 'public' }, schema: { hide: true, params: ShortcutFileParams } },
    async (request, reply) => {
      await guarded(request, () => {
        const state = pairing.shortcutFilesState(request.params.code)
        if (state === 'unknown') throw pairingUnknown()
        if (state === 'expired') throw pairingExpired()
      })
      const signed = await deps.shortcutFiles.files(publicBaseUrl(deps.config))
      if (signed === null) throw noSignedShortcuts()
      const file = signed.find((candidate) => `${candidate.slug}.shortcut` === request.params.file)
      if (!file) throw new AppError('not_found', `No Shortcut named ${JSON.stringify(request.params.file.slice(0, 64))}: the pairing page links to each one`)
      return reply
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .header('content-disposition', `attachment; filename="${file.name}.shortcut"`)
        .type('application/octet-stream')
        .send(file.bytes)
    },
  )
}
