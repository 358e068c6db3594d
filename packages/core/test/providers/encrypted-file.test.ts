import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConflictError, IntegrityError, NotFoundError, ValidationError } from '../../src/errors.js'
import { setBeforeRenameHookForTests } from '../../src/fs/atomic-write.js'
import { encryptedFile } from '../../src/providers/encrypted-file.js'
import { FAST_SCRYPT, PASSPHRASE, RAW_KEY_HEX } from '../fixtures/encrypted.js'
import { collect, tempDirs } from '../fixtures/temp-dir.js'

const SECRET = 'the-launch-code-0451'

describe('encryptedFile()', () => {
  const makeDir = tempDirs()
  const open = async (options: Partial<Parameters<typeof encryptedFile>[0]> = {}) => {
    const path = join(await makeDir(), 'secrets.enc')
    return { path, store: encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT, ...options }) }
  }

  it('round-trips text and bytes through an encrypted file created with mode 0600', async () => {
    const { path, store } = await open()
    expect(await store.get('A')).toBeUndefined()
    expect(await store.health()).toMatchObject({
      ok: true,
      message: expect.stringContaining('does not exist yet'),
    })
    await store.set('A', SECRET)
    await store.set('BIN', new Uint8Array([0, 1, 254, 255]))
    const raw = await readFile(path)
    expect(raw.subarray(0, 8).toString('latin1')).toBe('POLYSEC\0')
    expect(raw.includes(Buffer.from(SECRET))).toBe(false)
    expect(raw.includes(Buffer.from('"A"'))).toBe(false) // key names are encrypted too
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const reopened = encryptedFile({ path, passphrase: PASSPHRASE })
    expect((await reopened.get('A'))?.value).toBe(SECRET)
    expect((await reopened.get('BIN'))?.value).toEqual(new Uint8Array([0, 1, 254, 255]))
    expect((await collect(reopened.list())).map((k) => k.key)).toEqual(['A', 'BIN'])
    const batch = await reopened.getMany(['A', 'NOPE'])
    expect([...batch.entries.keys()]).toEqual(['A'])
  })

  it('works with a raw key given as hex, base64 or bytes', async () => {
    const { path, store } = await open({ passphrase: undefined, key: RAW_KEY_HEX })
    await store.set('A', SECRET)
    const asBase64 = Buffer.from(RAW_KEY_HEX, 'hex').toString('base64')
    expect((await encryptedFile({ path, key: asBase64 }).get('A'))?.value).toBe(SECRET)
    expect((await encryptedFile({ path, key: Buffer.from(RAW_KEY_HEX, 'hex') }).get('A'))?.value).toBe(SECRET)
    const withPassphrase = encryptedFile({ path, passphrase: PASSPHRASE })
    await expect(withPassphrase.get('A')).rejects.toThrow(/locked with a raw key, but a passphrase was given/)
  })

  it('keeps versions, trims to `history`, reads old versions and labels', async () => {
    const { store } = await open({ history: 3 })
    for (const v of ['v1', 'v2', 'v3', 'v4']) await store.set('K', v)
    const versions = await store.versions('K')
    expect(versions.map((v) => [v.version, v.current])).toEqual([
      ['4', true],
      ['3', false],
      ['2', false],
    ])
    expect(versions[1]!.labels).toEqual(['previous'])
    expect((await store.get('K', { version: '2' }))?.value).toBe('v2')
    expect(await store.get('K', { version: '1' })).toBeUndefined() // trimmed
    expect((await store.get('K', { label: 'previous' }))?.value).toBe('v3')
    expect(await store.get('K')).toMatchObject({ value: 'v4', version: '4', updatedAt: expect.any(Date) })
  })

  it('rolls back by writing the old value as a new current version', async () => {
    const { store } = await open()
    await store.set('K', 'good')
    await store.set('K', 'bad')
    const info = await store.rollback('K', '1')
    expect(info).toMatchObject({ version: '3', current: true })
    expect(await store.get('K')).toMatchObject({ value: 'good', version: '3', metadata: { rollbackOf: '1' } })
    await expect(store.rollback('K', '99')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('enforces ifVersion / createOnly and deletes', async () => {
    const { store } = await open()
    await store.set('K', 'a')
    await expect(store.set('K', 'b', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(store.set('K', 'b', { ifVersion: '0' })).rejects.toBeInstanceOf(ConflictError)
    await store.set('K', 'b', { ifVersion: '1' })
    await expect(store.delete('K', { ifVersion: '1' })).rejects.toBeInstanceOf(ConflictError)
    await store.delete('K', { ifVersion: '2' })
    expect(await store.get('K')).toBeUndefined()
    await store.delete('K')
    expect((await store.set('K', 'c')).version).toBe('3') // ids are never reused
  })

  it('rekeys: the new credentials work, the old ones fail', async () => {
    const { path, store } = await open()
    await store.set('K', SECRET)
    const before = await readFile(path)
    await store.rekey({ passphrase: 'a brand new passphrase' })
    expect((await store.get('K'))?.value).toBe(SECRET)
    const after = await readFile(path)
    expect(after.subarray(13, 29).equals(before.subarray(13, 29))).toBe(false) // new salt
    await expect(encryptedFile({ path, passphrase: PASSPHRASE }).get('K')).rejects.toBeInstanceOf(
      IntegrityError,
    )
    expect((await encryptedFile({ path, passphrase: 'a brand new passphrase' }).get('K'))?.value).toBe(SECRET)
    await store.rekey({ key: RAW_KEY_HEX })
    expect((await encryptedFile({ path, key: RAW_KEY_HEX }).get('K'))?.value).toBe(SECRET)
    await store.set('K2', 'after rekey')
    expect((await encryptedFile({ path, key: RAW_KEY_HEX }).get('K2'))?.value).toBe('after rekey')
    await expect(store.rekey({})).rejects.toBeInstanceOf(ValidationError)
  })

  it('a wrong passphrase is an IntegrityError that says so, without secrets', async () => {
    const { path, store } = await open()
    await store.set('K', SECRET)
    const error = await encryptedFile({ path, passphrase: 'Tr0ub4dor&3' })
      .get('K')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect((error as Error).message).toContain('wrong passphrase or key, or the file was modified')
    expect(inspect(error, { showHidden: true, depth: 5 })).not.toContain('Tr0ub4dor&3')
    expect(inspect(error, { showHidden: true, depth: 5 })).not.toContain(SECRET)
  })

  it('sees writes made through another instance (another process in real life)', async () => {
    const { path, store } = await open()
    const other = encryptedFile({ path, passphrase: PASSPHRASE })
    await store.set('K', 'one')
    expect((await other.get('K'))?.value).toBe('one')
    await other.set('K', 'two')
    expect((await store.get('K'))?.value).toBe('two')
  })

  it('never writes a plaintext temp file', async () => {
    const { path, store } = await open()
    const seen: Buffer[] = []
    setBeforeRenameHookForTests(async (temp) => {
      seen.push(await readFile(temp))
    })
    try {
      await store.set('K', SECRET)
      await store.set('K2', SECRET)
    } finally {
      setBeforeRenameHookForTests(undefined)
    }
    expect(seen).toHaveLength(2)
    for (const temp of seen) {
      expect(temp.subarray(0, 8).toString('latin1')).toBe('POLYSEC\0')
      expect(temp.includes(Buffer.from(SECRET))).toBe(false)
    }
    expect(await readdir(join(path, '..'))).toEqual(['secrets.enc'])
  })

  it('keeps credentials out of util.inspect and errors', async () => {
    const { store } = await open({ passphrase: SECRET })
    const shown = inspect(store, { showHidden: true, depth: 10, getters: true })
    expect(shown).not.toContain(SECRET)
    expect(JSON.stringify(store)).not.toContain(SECRET)
    const keyed = encryptedFile({ path: '/nonexistent/x.enc', key: RAW_KEY_HEX })
    expect(inspect(keyed, { showHidden: true, depth: 10 })).not.toContain(RAW_KEY_HEX)
    const err = await keyed.set('K', SECRET).catch((e: unknown) => e)
    expect(inspect(err, { showHidden: true, depth: 10 })).not.toContain(SECRET)
  })

  it('creates a missing parent directory (mode 0700) on the first write', async () => {
    const dir = join(await makeDir(), '.polysecret')
    const store = encryptedFile({ path: join(dir, 'secrets.enc'), key: RAW_KEY_HEX })
    await store.set('K', 'v')
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    expect((await store.get('K'))?.value).toBe('v')
  })

  it('close() drops caches and the store keeps working', async () => {
    const { store } = await open()
    await store.set('K', 'v')
    await store.close()
    expect((await store.get('K'))?.value).toBe('v')
  })

  it('validates options eagerly without echoing secrets', () => {
    const path = '/tmp/x.enc'
    if (!process.env.POLYSECRET_KEY && !process.env.POLYSECRET_PASSPHRASE) {
      expect(() => encryptedFile({ path })).toThrow(/needs a "passphrase" or a "key"/)
    }
    expect(() => encryptedFile({ path, passphrase: 'a', key: RAW_KEY_HEX })).toThrow(
      /exactly one of "passphrase" or "key"/,
    )
    expect(() => encryptedFile({ path, passphrase: '' })).toThrow(ValidationError)
    const bad = 'not-a-key-but-maybe-a-secret'
    const error = (() => {
      try {
        encryptedFile({ path, key: bad })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error).toBeInstanceOf(ValidationError)
    expect(error!.message).not.toContain(bad)
    expect(() => encryptedFile({ path, key: Buffer.alloc(16) })).toThrow(ValidationError)
    expect(() => encryptedFile({ path, passphrase: 'p', history: 0 })).toThrow(ValidationError)
    expect(() => encryptedFile({ path, passphrase: 'p', scrypt: { N: 1000 } })).toThrow(/power of two/)
    expect(() => encryptedFile({ path, passphrase: 'p', scrypt: { N: 2 ** 30 } })).toThrow(ValidationError)
    expect(() => encryptedFile({ path: '', passphrase: 'p' })).toThrow(ValidationError)
  })

  it('a stray temp file from a crashed writer is ignored by reads and cleaned by the next write', async () => {
    const { path, store } = await open()
    await store.set('K', 'old')
    const stray = join(path, '..', '.secrets.enc.999999999.deadbeef0000.tmp')
    await writeFile(stray, 'garbage')
    expect((await encryptedFile({ path, passphrase: PASSPHRASE }).get('K'))?.value).toBe('old')
    await store.set('K', 'new')
    expect(await readdir(join(path, '..'))).toEqual(['secrets.enc'])
  })
})
