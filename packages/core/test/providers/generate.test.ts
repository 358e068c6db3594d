import { createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors.js'
import {
  generate,
  generateBytes,
  generateKeyPair,
  generatePassword,
  generateUuid,
} from '../../src/generate.js'

describe('generatePassword', () => {
  it('has the requested length and at least one character of every enabled class, every time', () => {
    for (let i = 0; i < 300; i++) {
      const p = generatePassword({ length: 4 })
      expect(p).toHaveLength(4)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[0-9]/)
      expect(p).toMatch(/[^A-Za-z0-9]/)
    }
    expect(generatePassword()).toHaveLength(32)
  })

  it('honours disabled classes, custom symbols, exclude and excludeAmbiguous', () => {
    for (let i = 0; i < 100; i++) {
      expect(generatePassword({ symbols: false, digits: false, length: 20 })).toMatch(/^[A-Za-z]{20}$/)
      expect(generatePassword({ lower: false, upper: false, digits: false, symbols: '-_' })).toMatch(
        /^[-_]{32}$/,
      )
      expect(
        generatePassword({
          exclude: 'abcdefghijklmnopqrstuvwxy',
          upper: false,
          digits: false,
          symbols: false,
        }),
      ).toBe('z'.repeat(32))
      expect(generatePassword({ excludeAmbiguous: true, length: 64 })).not.toMatch(/[Il1O0o|]/)
    }
  })

  it('spreads characters roughly uniformly (no modulo bias, guaranteed characters not always first)', () => {
    const counts = new Map<string, number>()
    const firsts = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const p = generatePassword({ length: 10, upper: false, symbols: false })
      firsts.add(/[0-9]/.test(p[0]!) ? 'digit' : 'lower')
      for (const c of p) counts.set(c, (counts.get(c) ?? 0) + 1)
    }
    expect(firsts).toEqual(new Set(['digit', 'lower']))
    expect(counts.size).toBe(36)
    const letters = [...counts].filter(([c]) => /[a-z]/.test(c)).map(([, n]) => n)
    // 36 symbols over 20000 draws: each letter expects ~530; 5 sigma ≈ ±115.
    for (const n of letters) expect(Math.abs(n - 530)).toBeLessThan(160)
  })

  it('rejects impossible options', () => {
    expect(() => generatePassword({ length: 3 })).toThrow(/at least 4/)
    expect(() => generatePassword({ lower: false, upper: false, digits: false, symbols: false })).toThrow(
      ValidationError,
    )
    expect(() => generatePassword({ digits: true, exclude: '0123456789' })).toThrow(/"digits"/)
    expect(() => generatePassword({ length: 0 })).toThrow(ValidationError)
    expect(() => generatePassword({ length: 2.5 })).toThrow(ValidationError)
  })
})

describe('other generators', () => {
  it('generateBytes encodes the requested number of bytes', () => {
    expect(Buffer.from(generateBytes(), 'base64')).toHaveLength(32)
    expect(generateBytes({ bytes: 16, encoding: 'hex' })).toMatch(/^[0-9a-f]{32}$/)
    expect(generateBytes({ bytes: 30, encoding: 'base64url' })).toMatch(/^[A-Za-z0-9_-]{40}$/)
    expect(generateBytes()).not.toBe(generateBytes())
    expect(() => generateBytes({ bytes: 0 })).toThrow(ValidationError)
    expect(() => generateBytes({ encoding: 'utf8' as 'hex' })).toThrow(ValidationError)
  })

  it('generateUuid makes v4 UUIDs', () => {
    expect(generateUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it.each([
    ['rsa', 'rsa'],
    ['ec-p256', 'ec'],
    ['ec-p384', 'ec'],
    ['ed25519', 'ed25519'],
  ] as const)('generateKeyPair(%s) returns matching PKCS#8 / SPKI PEM', (type, asymmetricKeyType) => {
    const { privateKey, publicKey } = generateKeyPair({ type })
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const key = createPrivateKey(privateKey)
    expect(key.asymmetricKeyType).toBe(asymmetricKeyType)
    expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(publicKey)
    if (type === 'rsa') expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048)
    if (type === 'ec-p384') expect(key.asymmetricKeyDetails?.namedCurve).toBe('secp384r1')
  })

  it('generateKeyPair rejects weak or unknown options', () => {
    expect(() => generateKeyPair({ type: 'rsa', modulusLength: 1024 })).toThrow(ValidationError)
    expect(() => generateKeyPair({ type: 'dsa' as 'rsa' })).toThrow(ValidationError)
  })

  it('generate(spec) dispatches on type and returns a string', () => {
    expect(generate({ type: 'password', length: 12 })).toHaveLength(12)
    expect(generate({ type: 'bytes', bytes: 8, encoding: 'hex' })).toMatch(/^[0-9a-f]{16}$/)
    expect(generate({ type: 'uuid' })).toHaveLength(36)
    expect(generate({ type: 'keypair', keyType: 'ec-p256' })).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(() => generate({ type: 'nope' } as unknown as { type: 'uuid' })).toThrow(ValidationError)
  })
})
