// The iOS configuration profile that installs the local CA as a trusted root. Its identifiers are
// derived from the CA's fingerprint: installing the profile again replaces the earlier copy instead
// of adding a second one, and a new CA gets a profile of its own.
import { createHash, X509Certificate } from 'node:crypto'
import { build } from 'plist'

const PROFILE_ID_PREFIX = 'local.video-download-server.ca'

/** Options of {@link buildCaMobileconfig}. */
export interface MobileconfigOptions {
  /** the server's host name, shown to the user while installing */
  hostname: string
}

/**
 * Builds an unsigned `.mobileconfig` (XML plist) with one `com.apple.security.root` payload
 * holding the CA certificate. Throws when `caPem` is not a certificate.
 */
export function buildCaMobileconfig(caPem: string, opts: MobileconfigOptions): string {
  const ca = new X509Certificate(caPem)
  const fingerprint = ca.fingerprint256.replaceAll(':', '').toLowerCase()
  const identifier = `${PROFILE_ID_PREFIX}.${fingerprint.slice(0, 16)}`
  const serverName = `Video Download Server (${opts.hostname})`
  return build({
    PayloadContent: [
      {
        PayloadCertificateFileName: 'video-download-server-ca.cer',
        PayloadContent: ca.raw,
        PayloadDescription: 'Adds the certificate authority of your Video Download Server as a trusted root.',
        PayloadDisplayName: commonNameOf(ca) ?? `${serverName} local CA`,
        PayloadIdentifier: `${identifier}.root`,
        PayloadType: 'com.apple.security.root',
        PayloadUUID: uuidFromFingerprint(fingerprint, 'root'),
        PayloadVersion: 1,
      },
    ],
    PayloadDescription:
      `Lets this device open ${serverName} over HTTPS without warnings. After installing, turn on full ` +
      'trust in Settings → General → About → Certificate Trust Settings.',
    PayloadDisplayName: serverName,
    PayloadIdentifier: identifier,
    PayloadOrganization: 'Video Download Server',
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: uuidFromFingerprint(fingerprint, 'profile'),
    PayloadVersion: 1,
  })
}

/** A deterministic, well-formed UUID (version 5 layout) from the CA fingerprint and a label. */
function uuidFromFingerprint(fingerprint: string, label: string): string {
  const bytes = createHash('sha256').update(`${fingerprint}/${label}`).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex').toUpperCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function commonNameOf(cert: X509Certificate): string | undefined {
  return cert.subject
    .split('\n')
    .find((part) => part.startsWith('CN='))
    ?.slice('CN='.length)
}
