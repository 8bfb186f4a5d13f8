// Public downloads of the local CA, so a phone can trust this server once:
//   GET /ca.crt          the CA certificate (PEM), for macOS, Android, curl --cacert
//   GET /ca.mobileconfig the iOS configuration profile that installs it (docs/ios-setup.md)
// Both are open without an API key: a phone needs them before it can talk to the API at all,
// and a CA certificate is public information.
import os from 'node:os'
import type { FastifyPluginAsync } from 'fastify'
import { AppError } from '../../core/errors.js'
import { errorResponses, textResponse } from '../schemas.js'

/** Options of {@link caRoutes}. */
export interface CaRoutesOptions {
  /** PEM of the local CA, or a getter for the current one (it can be replaced while running); null when the owner's certificate files are used */
  caCert: string | null | (() => string | null)
  /** the host name shown in the iOS profile; default os.hostname() */
  hostname?: string
}

const noLocalCa = () =>
  new AppError(
    'not_found',
    'This server uses the certificate files in tls.cert_file and tls.key_file, not a local CA: ' +
      'there is nothing to install, devices trust that certificate already if its issuer is public',
  )

/** Fastify plugin adding GET /ca.crt and GET /ca.mobileconfig. */
export const caRoutes: FastifyPluginAsync<CaRoutesOptions> = async (app, options) => {
  const hostname = options.hostname ?? os.hostname()
  const currentCa = () => (typeof options.caCert === 'function' ? options.caCert() : options.caCert)
  let cachedProfile: { caPem: string; profile: string } | undefined

  app.get(
    '/ca.crt',
    { config: { access: 'public' }, schema: { operationId: 'getCaCertificate', summary: 'The local CA certificate (PEM)', security: [], response: { 200: textResponse('application/x-x509-ca-cert', 'the CA certificate, PEM'), ...errorResponses(404) } } },
    async (_request, reply) => {
      const caPem = currentCa()
      if (caPem === null) throw noLocalCa()
      return reply
        .type('application/x-x509-ca-cert')
        .header('content-disposition', 'attachment; filename="video-download-server-ca.crt"')
        .header('cache-control', 'no-cache')
        .send(caPem)
    },
  )

  app.get(
    '/ca.mobileconfig',
    { config: { access: 'public' }, schema: { operationId: 'getCaProfile', summary: 'iOS profile that installs the local CA', security: [], response: { 200: textResponse('application/x-apple-aspen-config', 'the configuration profile (XML plist)'), ...errorResponses(404) } } },
    async (_request, reply) => {
      const caPem = currentCa()
      if (caPem === null) throw noLocalCa()
      if (cachedProfile?.caPem !== caPem) {
        // Loaded on first use: the plist builder is not worth start-up time for a once-per-phone download.
        const { buildCaMobileconfig } = await import('../../tls/ios-profile.js')
        cachedProfile = { caPem, profile: buildCaMobileconfig(caPem, { hostname }) }
      }
      return reply
        .type('application/x-apple-aspen-config')
        .header('content-disposition', 'attachment; filename="video-download-server.mobileconfig"')
        .header('cache-control', 'no-cache')
        .send(cachedProfile.profile)
    },
  )
}
