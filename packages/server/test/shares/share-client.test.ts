/**
 * The Node helpers and the codec they share with the page: a share made by createShare opens with
 * openShare exactly once, bad links and tampered ciphertext are typed errors, and the page's bundled
 * script is the one built from the current sources.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { IntegrityError, NotFoundError, Secret, ValidationError } from '@polysecret/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embeddedShareStore } from '../../src/shares/embedded-store.js'
import { createShare, openShare } from '../../src/shares/share-client.js'
import {
  fromBase64Url,
  openSealedShare,
  parseShareFragment,
  sealShare,
  toBase64Url,
} from '../../src/shares/share-codec.js'
import type { ShareStore } from '../../src/shares/share-store.js'
import { type RunningShareServer, startShareServer } from '../support/share-server.js'

describe('share codec', () => {
  it('round-trips text of any size and script, with a fresh key and iv each time', async () => {
    for (const text of ['', 'x', 'pässwörd 🔑 密码', 'z'.repeat(70_000)]) {
      const sealed = await sealShare(text)
      expect(await openSealedShare(sealed.ciphertext, sealed.key)).toBe(text)
    }
    const a = await sealShare('same')
    const b = await sealShare('same')
    expect(a.key).not.toBe(b.key)
    expect(a.ciphertext).not.toBe(b.ciphertext)
    expect(fromBase64Url(a.key)).toHaveLength(32)
  })

  it('refuses a wrong key, a modified ciphertext and a future format', async () => {
    const { ciphertext, key } = await sealShare('secret')
    const other = (await sealShare('secret')).key
    await expect(openSealedShare(ciphertext, other)).rejects.toThrow('Cannot decrypt the share')
    const bytes = fromBase64Url(ciphertext)!
    bytes[bytes.length - 1]! ^= 1
    await expect(openSealedShare(toBase64Url(bytes), key)).rejects.toThrow('Cannot decrypt the share')
    bytes[0] = 2
    await expect(openSealedShare(toBase64Url(bytes), key)).rejects.toThrow('format version 2')
    await expect(openSealedShare(ciphertext, 'short')).rejects.toThrow('does not hold a share key')
  })

  it('parses "#id.key" and says what is wrong with anything else', async () => {
    const key = (await sealShare('')).key
    expect(parseShareFragment(`#${'A'.repeat(22)}.${key}`)).toEqual({ id: 'A'.repeat(22), key })
    for (const bad of [
      '',
      '#',
      `#${'A'.repeat(22)}`,
      `#${'A'.repeat(21)}.${key}`,
      `#${'A'.repeat(22)}.${key}x`,
    ]) {
      expect(() => parseShareFragment(bad)).toThrow('Not a share link')
    }
  })

  it('the page script checked in is the bundle of the current browser sources', () => {
    const script = fileURLToPath(new URL('../../scripts/build-share-page.ts', import.meta.url))
    // Throws (exit 1) when stale; the message says how to regenerate.
    execFileSync(process.execPath, ['--import', 'tsx', script, '--check'], { stdio: 'pipe' })
  })
})

describe('createShare / openShare', () => {
  let dir: string
  let store: ShareStore
  let server: RunningShareServer
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polysecret-share-client-'))
    store = embeddedShareStore({ path: join(dir, 'shares.enc'), key: 'b'.repeat(64), sweepIntervalMs: 0 })
    server = await startShareServer({ store })
  })
  afterAll(async () => {
    await server?.close()
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates a link that opens once, as a Secret; the second open is a NotFoundError', async () => {
    const created = await createShare(new Secret('db password 42'), { server: server.url, ttl: 300 })
    expect(String(created.link)).toBe('[REDACTED]')
    const link = created.link.reveal()
    expect(link).toMatch(new RegExp(`^${server.url}/share#${created.id}\\.[A-Za-z0-9_-]{43}$`))
    expect(created.reads).toBe(1)
    const opened = await openShare(created.link)
    expect(opened).toBeInstanceOf(Secret)
    expect(opened.reveal()).toBe('db password 42')
    const again = await openShare(link).catch((error: unknown) => error)
    expect(again).toBeInstanceOf(NotFoundError)
    expect((again as Error).message).toContain('it was already opened, it expired, or the link is wrong')
  })

  it('opens `reads` times', async () => {
    const { link } = await createShare('twice', { server: server.url, reads: 2 })
    expect((await openShare(link)).reveal()).toBe('twice')
    expect((await openShare(link)).reveal()).toBe('twice')
    await expect(openShare(link)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a link with a wrong key is an IntegrityError (and burns the share: the server cannot check keys)', async () => {
    const { link } = await createShare('x', { server: server.url })
    const wrong = link.reveal().replace(/\.[^.]+$/, `.${(await sealShare('')).key}`)
    await expect(openShare(wrong)).rejects.toBeInstanceOf(IntegrityError)
    await expect(openShare(link)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('bad input is a ValidationError', async () => {
    await expect(openShare('not a url')).rejects.toBeInstanceOf(ValidationError)
    await expect(openShare(`${server.url}/share#nope`)).rejects.toThrow(/openShare\(\): Not a share link/)
    await expect(createShare('x', { server: server.url, ttl: 10 ** 9 })).rejects.toBeInstanceOf(
      ValidationError,
    )
  })
})
