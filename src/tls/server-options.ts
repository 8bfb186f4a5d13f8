// The TLS policy of the HTTPS server, in one place: main.ts passes it to Fastify at start and to
// setSecureContext on every certificate reload, so a renewal cannot fall back to Node's defaults.
import type { SecureContextOptions, TlsOptions } from 'node:tls'
import type { TlsMaterial } from './certificate-info.js'

/**
 * TLS 1.3's three suites (all AEAD), then TLS 1.2 with ECDHE key exchange and an AEAD cipher only
 * (AES-GCM, ChaCha20-Poly1305), for ECDSA and RSA certificates. Node's default list also offers
 * CBC suites (…-SHA, …-SHA256/384), which testssl reports as obsolete and LUCKY13-prone, and DHE.
 * Every iOS version the server supports (iOS 12+) speaks ECDHE-ECDSA-AES-GCM.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

export const TLS_MIN_VERSION = 'TLSv1.2'

/** A client that has not finished its handshake by then is disconnected (SPEC §5, bounded connections). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 5_000

/** Key, certificate and policy for a secure context (start and every reload). */
export function secureContextOptions(material: Pick<TlsMaterial, 'key' | 'cert'>): SecureContextOptions {
  return {
    key: material.key,
    cert: material.cert,
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    // The server's order (strongest first), not the client's.
    honorCipherOrder: true,
  }
}

/** Options for the HTTPS server itself: the secure context plus the handshake time limit. */
export function tlsServerOptions(material: Pick<TlsMaterial, 'key' | 'cert'>): TlsOptions {
  return { ...secureContextOptions(material), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }
}
