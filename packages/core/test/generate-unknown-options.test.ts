import { createPrivateKey } from 'node:crypto'
import {
  ConfigManager,
  type GenerateSpec,
  generate,
  generateBytes,
  generateKeyPair,
  generatePassword,
  memory,
  ValidationError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'

/** Calls `fn` and returns the ValidationError it must throw. */
function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return error as ValidationError
  }
  throw new Error('expected a ValidationError, nothing was thrown')
}

describe('generators refuse options they do not know', () => {
  it('generateKeyPair({ keyType: "rsa" }) names the unknown option and the valid ones instead of returning Ed25519', () => {
    const error = validationErrorOf(() => generateKeyPair({ keyType: 'rsa' } as never))
    expect(error.message).toContain('generateKeyPair(): unknown option "keyType"')
    expect(error.message).toContain('Valid options: type, modulusLength.')
    expect(error.hint).toBe('Did you mean "type" for "keyType"?')
    // The right spelling gives what was asked for.
    const { privateKey } = generateKeyPair({ type: 'rsa' })
    expect(createPrivateKey(privateKey).asymmetricKeyType).toBe('rsa')
  })

  it('generateKeyPair refuses modulusLength for a type that has none', () => {
    const error = validationErrorOf(() => generateKeyPair({ modulusLength: 4096 }))
    expect(error.message).toContain('"modulusLength" applies to type "rsa" only, but type is "ed25519"')
  })

  it('generatePassword and generateBytes name every unknown option', () => {
    const password = validationErrorOf(() => generatePassword({ size: 20, symbol: false } as never))
    expect(password.message).toContain('generatePassword(): unknown options "size", "symbol".')
    expect(password.message).toContain(
      'Valid options: length, lower, upper, digits, symbols, exclude, excludeAmbiguous.',
    )
    expect(password.hint).toBe('Did you mean "symbols" for "symbol"?')

    const bytes = validationErrorOf(() => generateBytes({ length: 64 } as never))
    expect(bytes.message).toContain(
      'generateBytes(): unknown option "length". Valid options: bytes, encoding.',
    )
    expect(bytes.hint).toBe('Remove or rename it.')
  })

  it('generate(spec) checks the options of the spec’s type', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'bytes', length: 64 }, `generate({ type: 'bytes' }): unknown option "length"`],
      [{ type: 'uuid', version: 7 }, `generate({ type: 'uuid' }): unknown option "version"`],
      [{ type: 'keypair', type2: 'rsa' }, `generate({ type: 'keypair' }): unknown option "type2"`],
      [{ type: 'password', bytes: 8 }, `generate({ type: 'password' }): unknown option "bytes"`],
    ]
    for (const [spec, message] of cases) {
      expect(validationErrorOf(() => generate(spec as GenerateSpec)).message).toContain(message)
    }
    // keyType is the keypair spec's own (documented) name for the pair's type.
    const pem = generate({ type: 'keypair', keyType: 'ec-p256' })
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('ec')
  })

  it('rotate with a misspelt generate spec fails before anything is written', async () => {
    const store = memory({ SIGNING_KEY: 'old' }, { name: 'vault', writable: true })
    const manager = new ConfigManager({ secrets: [store] })
    const before = await store.versions!('SIGNING_KEY')
    await expect(
      manager.rotate('SIGNING_KEY', { generate: { type: 'keypair', type2: 'rsa' } as never }),
    ).rejects.toThrow(/unknown option "type2"/)
    expect(await store.versions!('SIGNING_KEY')).toEqual(before)
    expect((await manager.getSecret('SIGNING_KEY', { fresh: true })).reveal()).toBe('old')
  })
})
