/**
 * The generation spec and its template language: every problem reported at once with its path, the
 * helpers' outputs, the random generators' shapes, bcrypt hashes that bcryptjs accepts.
 */
import { createHash } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import {
  generate,
  generateInteger,
  generateString,
  generateSymmetricKey,
  renderGenerationSpec,
  ValidationError,
} from '../src/index.js'

const render = async (keys: Record<string, string>, generators: Record<string, unknown> = {}) => {
  const out = await renderGenerationSpec({ generators, keys } as never)
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.reveal()]))
}
const failure = async (spec: unknown) => {
  try {
    await renderGenerationSpec(spec as never)
  } catch (error) {
    return error as ValidationError
  }
  throw new Error('expected the spec to be refused')
}

describe('generation spec', () => {
  it('renders literal text and pipes through every helper', async () => {
    const v = await render({
      B64: '{{ "héllo" | base64 }}',
      B64URL: '{{ "??>" | base64url }}',
      HEX: '{{ "ab" | hex }}',
      SHA: 'sha={{ "x" | sha256 }}',
      SHA512: '{{ "x" | sha512 }}',
      JSON: '{"p": {{ "a\\"b" | json }}}',
      URL: 'u:{{ "p@ss/w rd" | urlencode }}@h',
      ONELINE: '{{ "a\\nb\\n" | oneline }}',
      CASE: '{{ "  MiXed " | trim | lower }}{{ "x" | upper }}',
      BRACES: '{{ "{{" }}literal{{ "}}" }}',
    })
    expect(v).toEqual({
      B64: Buffer.from('héllo').toString('base64'),
      B64URL: Buffer.from('??>').toString('base64url'),
      HEX: '6162',
      SHA: `sha=${createHash('sha256').update('x').digest('hex')}`,
      SHA512: createHash('sha512').update('x').digest('hex'),
      JSON: '{"p": "a\\"b"}',
      URL: 'u:p%40ss%2Fw%20rd@h',
      ONELINE: 'a\\nb\\n',
      CASE: 'mixedX',
      BRACES: '{{literal}}',
    })
  })

  it('gives every key of a run the same generator value', async () => {
    const v = await render(
      { A: '{{ .gen.pw }}', B: '{{ .gen.pw | sha256 }}', C: '{{ .gen.id }}' },
      { pw: { type: 'password', length: 16 }, id: { type: 'uuid' } },
    )
    expect(v.B).toBe(createHash('sha256').update(v.A!).digest('hex'))
    expect(v.C).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('bcrypt: a $2b$ hash with the cost asked that bcryptjs verifies; over 72 bytes is refused', async () => {
    const v = await render(
      { PW: '{{ .gen.pw }}', HASH: '{{ .gen.pw | bcrypt 5 }}' },
      { pw: { type: 'password', length: 40 } },
    )
    expect(v.HASH).toMatch(/^\$2b\$05\$/)
    expect(await bcrypt.compare(v.PW!, v.HASH!)).toBe(true)
    expect(await bcrypt.compare(`${v.PW}x`, v.HASH!)).toBe(false)
    await expect(
      render({ H: '{{ .gen.pw | bcrypt 4 }}' }, { pw: { type: 'password', length: 73 } }),
    ).rejects.toThrow(/longer than bcrypt's 72 bytes/)
  })

  it('random generators: string alphabets, integer range, AES and HMAC key sizes', () => {
    expect(generateString({ length: 50, charset: 'hex' })).toMatch(/^[0-9a-f]{50}$/)
    expect(generateString({ length: 30, chars: 'ab' })).toMatch(/^[ab]{30}$/)
    const ints = Array.from({ length: 200 }, () => Number(generateInteger({ min: 5, max: 7 })))
    expect(new Set(ints)).toEqual(new Set([5, 6, 7]))
    expect(Buffer.from(generateSymmetricKey({ algorithm: 'aes', bits: 128 }), 'base64')).toHaveLength(16)
    expect(Buffer.from(generateSymmetricKey({ algorithm: 'aes' }), 'base64')).toHaveLength(32)
    expect(generateSymmetricKey({ algorithm: 'hmac', hash: 'sha384', encoding: 'hex' })).toMatch(
      /^[0-9a-f]{256}$/,
    )
    // rotate({ generate }) takes the new types too
    expect(generate({ type: 'aes-key', bits: 192, encoding: 'hex' })).toMatch(/^[0-9a-f]{48}$/)
    expect(() => generate({ type: 'aes-key', hash: 'sha256' } as never)).toThrow(/unknown option "hash"/)
    expect(() => generateInteger({ min: 3, max: 3 })).toThrow(ValidationError)
    expect(() => generateString({ charset: 'klingon' as never })).toThrow(/"charset" must be one of/)
  })

  it('collects every problem of a spec at once, each with its path', async () => {
    const error = await failure({
      nmae: 'x',
      generators: {
        pw: { type: 'passwrd' },
        tls: { type: 'certificate', subject: {}, days: 0, ca: { generator: 'pw' } },
      },
      keys: {
        A: '{{ .gen.nope }}',
        B: '{{ .gen.tls }}',
        C: '{{ "x" | rot13 }}',
        D: '{{ "x" | bcrypt 99 }}',
        E: { template: 'x', kind: 'config' },
        'aws://F': 'x',
        G: '{{ .gen.tls.cert ',
      },
      to: [],
    })
    expect(error).toBeInstanceOf(ValidationError)
    const lines = error.message.split('\n').filter((l) => l.includes('✖'))
    expect(lines).toEqual([
      expect.stringContaining(
        'unknown field "nmae" (valid: name, generators, keys, to, overwrite, force) → at nmae',
      ),
      expect.stringContaining(
        'must be one of password, string, bytes, uuid, integer, keypair, aes-key, hmac-key, certificate, csr → at generators.pw.type',
      ),
      expect.stringContaining('needs at least commonName or organization → at generators.tls.subject'),
      expect.stringContaining('from 1 to 36500 → at generators.tls.days'),
      expect.stringContaining(
        '"pw" must name a certificate generator of this spec with isCA: true → at generators.tls.ca.generator',
      ),
      expect.stringContaining('non-empty list of provider names → at to'),
      expect.stringContaining('".gen.nope" names no generator (generators: pw, tls) → at keys.A.template'),
      expect.stringContaining(
        'pick one of .gen.tls.cert, .gen.tls.key, .gen.tls.publicKey, .gen.tls.ca, .gen.tls.chain → at keys.B.template',
      ),
      expect.stringContaining('unknown helper "rot13"'),
      expect.stringContaining('helper "bcrypt" takes one optional cost from 4 to 15 → at keys.D.template'),
      expect.stringContaining('must be "secret" or "parameter" → at keys.E.kind'),
      expect.stringContaining('provider:// references → at keys.aws://F'),
      expect.stringContaining('"{{" without a closing "}}" → at keys.G.template'),
    ])
  })

  it('refuses a cycle of certificates signing each other', async () => {
    const error = await failure({
      generators: {
        a: { type: 'certificate', isCA: true, subject: { commonName: 'a' }, ca: { generator: 'b' } },
        b: { type: 'certificate', isCA: true, subject: { commonName: 'b' }, ca: { generator: 'a' } },
      },
      keys: { A: '{{ .gen.a.cert }}' },
    })
    expect(error.message).toContain('certificates may not sign each other in a cycle')
  })

  it('a template is data: no expression other than a value and helpers is understood', async () => {
    for (const template of [
      '{{ process.exit }}',
      '{{ .gen.pw | constructor }}',
      '{{ require("fs") }}',
      '{{ .Values.x }}',
    ]) {
      const error = await failure({ generators: { pw: { type: 'uuid' } }, keys: { K: template } })
      expect(error).toBeInstanceOf(ValidationError)
    }
  })

  it('parses YAML and JSON spec text', async () => {
    const yaml = 'generators:\n  n: { type: integer, min: 1, max: 2 }\nkeys:\n  K: "n={{ .gen.n }}"\n'
    expect((await renderGenerationSpec(yaml)).K!.reveal()).toMatch(/^n=[12]$/)
    const json = JSON.stringify({
      generators: { n: { type: 'integer', min: 8, max: 9 } },
      keys: { K: '{{ .gen.n }}' },
    })
    expect((await renderGenerationSpec(json)).K!.reveal()).toMatch(/^[89]$/)
    await expect(renderGenerationSpec('generators: [\n')).rejects.toThrow(/not valid YAML/)
  })
})
