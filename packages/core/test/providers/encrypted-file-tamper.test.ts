/** Every kind of damage to an encrypted file is an IntegrityError — never partial plaintext, never a crash. */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { IntegrityError } from '../../src/errors.js'
import { encryptedFile } from '../../src/providers/encrypted-file.js'
import { HEADER_LENGTH, TAG_LENGTH } from '../../src/providers/encrypted-file-format.js'
import { FAST_SCRYPT, PASSPHRASE, RAW_KEY_HEX } from '../fixtures/encrypted.js'
import { tempDirs } from '../fixtures/temp-dir.js'

const SECRET = 'tamper-evident-secret-value'

describe.each([
  ['passphrase', { passphrase: PASSPHRASE, scrypt: FAST_SCRYPT }],
  ['raw key', { key: RAW_KEY_HEX }],
] as const)('encryptedFile() damage detection (%s)', (_, credentials) => {
  const makeDir = tempDirs()
  let original: Buffer

  beforeAll(async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(join(tmpdir(), 'polysecret-orig-'))
    const path = join(dir, 's.enc')
    await encryptedFile({ path, ...credentials }).set('K', SECRET)
    original = await readFile(path)
    await rm(dir, { recursive: true })
  })

  async function readDamaged(bytes: Buffer): Promise<unknown> {
    const path = join(await makeDir(), 's.enc')
    await writeFile(path, bytes)
    return encryptedFile({ path, ...credentials })
      .get('K')
      .then(
        (entry) => entry,
        (error: unknown) => error,
      )
  }

  it('reads the undamaged file (control)', async () => {
    expect(await readDamaged(original)).toMatchObject({ value: SECRET })
  })

  it('rejects a flipped bit in every byte: header, nonce, ciphertext and tag', async () => {
    const regions = {
      header: [0, 29],
      nonce: [29, HEADER_LENGTH],
      ciphertext: [HEADER_LENGTH, original.length - TAG_LENGTH],
      tag: [original.length - TAG_LENGTH, original.length],
    }
    for (const [region, [from, to]] of Object.entries(regions)) {
      expect(to, region).toBeGreaterThan(from!)
      for (let i = from!; i < to!; i++) {
        const damaged = Buffer.from(original)
        damaged[i]! ^= 1 << (i % 8)
        const result = await readDamaged(damaged)
        expect(result, `${region} byte ${i}`).toBeInstanceOf(IntegrityError)
        expect((result as Error).message).not.toContain(SECRET)
      }
    }
  })

  it.each([
    [
      'truncated by one byte',
      () => original.subarray(0, original.length - 1),
      /wrong passphrase or key, or the file was modified/,
    ],
    ['truncated inside the header', () => original.subarray(0, 20), /truncated/],
    ['cut to the magic only', () => original.subarray(0, 8), /truncated/],
    ['empty', () => Buffer.alloc(0), /empty/],
    [
      'foreign (not our magic)',
      () => Buffer.from('{"keys": {}}\n'.repeat(10)),
      /not a polysecret encrypted file/,
    ],
    [
      'a future format version',
      () => Buffer.concat([original.subarray(0, 8), Buffer.from([2]), original.subarray(9)]),
      /format version 2 is not supported/,
    ],
    ['extended with extra bytes', () => Buffer.concat([original, Buffer.from('x')]), /file was modified/],
  ])('rejects a file %s', async (_, make, message) => {
    const result = await readDamaged(make())
    expect(result).toBeInstanceOf(IntegrityError)
    expect((result as Error).message).toMatch(message)
  })

  it('refuses to overwrite a damaged file', async () => {
    const path = join(await makeDir(), 's.enc')
    const damaged = Buffer.from(original)
    damaged[damaged.length - 1]! ^= 0xff
    await writeFile(path, damaged)
    await expect(encryptedFile({ path, ...credentials }).set('K', 'x')).rejects.toBeInstanceOf(IntegrityError)
    expect((await readFile(path)).equals(damaged)).toBe(true)
  })
})
