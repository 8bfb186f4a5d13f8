// The pairing link as a QR code, for the web UI's "Add a phone" (the CLI prints it in the terminal).
// Made on the server with the same library as `vds pair`, so the page needs no QR code of its own.
import QRCode from 'qrcode'

/**
 * A standalone SVG (viewBox in modules, quiet zone of 4) that a phone camera scans. Level M: the
 * link is about 80 characters, and M keeps the modules large enough for a camera across a room.
 */
export function pairingQrSvg(pairUrl: string): Promise<string> {
  return QRCode.toString(pairUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
}
