// What the URL policy tests share: the allow list, a resolver that must never be asked, and
// helpers that turn checkSubmittedUrl's answer into a code or a rejection.
import assert from 'node:assert/strict'
import { UrlRejection, checkSubmittedUrl, type UrlPolicy, type UrlRejectionCode } from '../../src/intake/url-policy.js'

export const ALLOWED = ['tiktok.com', 'instagram.com', '127.0.0.1', '::1']

/** A resolver that fails the test if it is ever asked: explicit lists must not touch DNS. */
export const noDns = async (host: string): Promise<string[]> => assert.fail(`unexpected DNS lookup of ${host}`)

export const POLICY: UrlPolicy = { allowedDomains: ALLOWED, maxLength: 2048, resolve: noDns }

/** The rejection code, or 'ok'; anything but a UrlRejection fails the test. */
export async function outcome(raw: string, policy: UrlPolicy = POLICY): Promise<UrlRejectionCode | 'ok'> {
  try {
    await checkSubmittedUrl(raw, policy)
    return 'ok'
  } catch (error) {
    assert.ok(error instanceof UrlRejection, `expected a UrlRejection for ${JSON.stringify(raw)}, got ${String(error)}`)
    return error.code
  }
}

export async function rejection(raw: string, policy: UrlPolicy = POLICY): Promise<UrlRejection> {
  const error: unknown = await checkSubmittedUrl(raw, policy).then(
    () => assert.fail(`expected ${JSON.stringify(raw)} to be refused`),
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof UrlRejection)
  return error
}

export const TIKTOK_PREFIX = 'https://www.tiktok.com/'
/** A valid TikTok URL exactly `length` characters long. */
export const tiktokUrlOfLength = (length: number) => TIKTOK_PREFIX + 'a'.repeat(length - TIKTOK_PREFIX.length)
