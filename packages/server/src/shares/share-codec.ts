/**
 * The share format, shared by the browser page and the Node helper: both run this file (the page gets
 * it bundled into its script), so a share made by one opens in the other. It uses only WebCrypto and
 * the standard globals (`crypto.subtle`, `TextEncoder`, `btoa`), never a Node or DOM module.
 *
 * ```
 * link          <page URL>#<id>.<key>       the fragment is never sent to a server
 * key           32 random bytes, base64url   AES-256-GCM key, made by the sender, known only to the link
 * ciphertext    base64url( 0x01 ‖ iv(12) ‖ AES-256-GCM(plaintext UTF-8) ‖ tag(16) )
 *               additional data: "polysecret-share-v1"
 * ```
 *
 * The server stores only the ciphertext under an id it draws itself (128 random bits); it never sees
 * the key, so it cannot read a share, and neither can anyone who reads its storage or its logs.
 */

/** Version byte at the start of every ciphertext. */
export const SHARE_FORMAT_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32
const ADDITIONAL_DATA = new TextEncoder().encode('polysecret-share-v1')

/** A share id: 16 random bytes in base64url (22 characters). */
export const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** Why a link or a ciphertext cannot be opened; the message never holds key or plaintext. */
export class ShareFormatError extends Error {
  override readonly name = 'ShareFormatError'
}

/** Bytes → base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** base64url (padding optional) → bytes; `undefined` when the text is not base64url. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** The ciphertext length in bytes for a plaintext of `plaintextBytes` bytes. */
export function sealedLength(plaintextBytes: number): number {
  return 1 + IV_BYTES + plaintextBytes + TAG_BYTES
}

function importKey(raw: Uint8Array<ArrayBuffer>, usage: 'encrypt' | 'decrypt') {
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [usage])
}

/** Encrypts `plaintext` under a fresh random key. Returns the ciphertext and the key, both base64url. */
export async function sealShare(plaintext: string): Promise<{ ciphertext: string; key: string }> {
  const rawKey = crypto.getRandomValues(new Uint8Array(KEY_BYTES))
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const data = new TextEncoder().encode(plaintext)
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: ADDITIONAL_DATA, tagLength: TAG_BYTES * 8 },
      await importKey(rawKey, 'encrypt'),
      data,
    ),
  )
  data.fill(0)
  const out = new Uint8Array(1 + IV_BYTES + sealed.length)
  out[0] = SHARE_FORMAT_VERSION
  out.set(iv, 1)
  out.set(sealed, 1 + IV_BYTES)
  const key = toBase64Url(rawKey)
  rawKey.fill(0)
  return { ciphertext: toBase64Url(out), key }
}

/** Decrypts a ciphertext with the link's key; a wrong key or a modified ciphertext is a `ShareFormatError`. */
export async function openSealedShare(ciphertext: string, key: string): Promise<string> {
  const bytes = fromBase64Url(ciphertext)
  if (!bytes || bytes.length < 1 + IV_BYTES + TAG_BYTES) {
    throw new ShareFormatError('The share is not a polysecret share ciphertext (too short or not base64url).')
  }
  if (bytes[0] !== SHARE_FORMAT_VERSION) {
    throw new ShareFormatError(
      `The share uses format version ${bytes[0]}; this version reads ${SHARE_FORMAT_VERSION}. Update polysecret.`,
    )
  }
  const rawKey = KEY_PATTERN.test(key) ? fromBase64Url(key) : undefined
  if (!rawKey || rawKey.length !== KEY_BYTES) {
    throw new ShareFormatError('The link does not hold a share key (43 base64url characters after the dot).')
  }
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bytes.subarray(1, 1 + IV_BYTES),
        additionalData: ADDITIONAL_DATA,
        tagLength: TAG_BYTES * 8,
      },
      await importKey(rawKey, 'decrypt'),
      bytes.subarray(1 + IV_BYTES),
    )
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    throw new ShareFormatError(
      'Cannot decrypt the share: the link was cut short or changed, or the share was modified.',
    )
  } finally {
    rawKey.fill(0)
  }
}

/** `<id>.<key>` — what follows `#` in a share link. */
export function shareFragment(id: string, key: string): string {
  return `${id}.${key}`
}

/** Splits a link's fragment (with or without the leading `#`) into id and key. */
export function parseShareFragment(fragment: string): { id: string; key: string } {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment
  const dot = text.indexOf('.')
  const id = dot === -1 ? text : text.slice(0, dot)
  const key = dot === -1 ? '' : text.slice(dot + 1)
  if (!SHARE_ID_PATTERN.test(id) || !KEY_PATTERN.test(key)) {
    throw new ShareFormatError(
      'Not a share link: the part after "#" must be "<id>.<key>" (22 and 43 base64url characters). Copy the whole link.',
    )
  }
  return { id, key }
}
