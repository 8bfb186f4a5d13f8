// The server's VAPID key pair for Web Push, made once (RFC 8292). Browsers bind a subscription to
// the public key, so replacing it would silently break every installed web app's notifications.
import type WebPush from 'web-push'
import { lazyModule } from '../core/lazy-module.js'
import { loadOrCreateSecret } from './secret-files.js'

/** web-push and its ASN.1, JWS and encryption libraries: loaded only to make the keys or send a push. */
export const webPush = lazyModule<typeof WebPush>('web-push')

export interface VapidKeys {
  /** uncompressed P-256 point, base64url: what PushManager.subscribe() takes as applicationServerKey */
  publicKey: string
  privateKey: string
}

export const VAPID_FILE = 'vapid-keys.json'

export function loadVapidKeys(dataDir: string): VapidKeys {
  const text = loadOrCreateSecret(dataDir, VAPID_FILE, () => JSON.stringify(webPush().generateVAPIDKeys()))
  const keys = JSON.parse(text) as Partial<VapidKeys>
  if (typeof keys.publicKey !== 'string' || typeof keys.privateKey !== 'string') {
    throw new Error(`${VAPID_FILE} in the data folder is damaged: remove it to make new keys (phones must then allow notifications again)`)
  }
  return { publicKey: keys.publicKey, privateKey: keys.privateKey }
}
