/**
 * `load()` errors never show a secret value or a part of it — whatever the schema library's default
 * messages quote, whatever a refine or transform does with the value. Issues of secret keys carry the
 * key, the rule and the provider.
 */
import { inspect } from 'node:util'
import { ConfigManager, ConfigValidationError, memory } from '@polysecret/core'
import { type } from 'arktype'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

const PIN = '481'
const NESTED = 'nested-LEAK-44d1'
const PASSWORD = 'short-LEAK-1'

function manager() {
  const store = memory(
    {
      APP_PIN: PIN,
      DB_CREDENTIALS: JSON.stringify({ user: 'app', password: NESTED }),
      DB_PASSWORD: PASSWORD,
      PORT: 'eighty',
    },
    { name: 'vault' },
  )
  return new ConfigManager({ secrets: [store], parameters: [store] })
}

async function loadError(schema: Parameters<ConfigManager['load']>[0]): Promise<ConfigValidationError> {
  const error = await manager()
    .load(schema)
    .then(
      () => undefined,
      (e) => e,
    )
  expect(error).toBeInstanceOf(ConfigValidationError)
  return error as ConfigValidationError
}

function visible(error: unknown): string {
  const parts = [inspect(error, { showHidden: true, depth: 20 }), JSON.stringify(error)]
  for (let e: unknown = error, d = 0; e instanceof Error && d < 10; d++, e = e.cause)
    parts.push(e.message, e.stack ?? '', JSON.stringify((e as { issues?: unknown }).issues ?? null))
  return parts.join('\n')
}

/** Nothing of the values: not whole, not a prefix, not upper-cased. */
function expectNoValues(error: unknown) {
  const seen = visible(error)
  expect(seen).not.toMatch(new RegExp(`\\b${PIN}\\b`))
  for (const value of [NESTED, PASSWORD]) {
    expect(seen).not.toContain(value.slice(0, 6))
    expect(seen.toLowerCase()).not.toContain(value.slice(0, 6).toLowerCase())
  }
}

describe('load() errors never show a secret value', () => {
  it('valibot: a 3-character PIN in a picklist error', async () => {
    const error = await loadError(v.object({ APP_PIN: v.picklist(['1234', '5678']) }))
    expectNoValues(error)
    expect(error.issues).toEqual([
      expect.objectContaining({ key: 'APP_PIN', rule: 'picklist', provider: 'vault', path: ['APP_PIN'] }),
    ])
  })

  it('valibot: a field of a JSON secret in a length error', async () => {
    const error = await loadError(
      v.object({
        DB_CREDENTIALS: v.object({ user: v.string(), password: v.pipe(v.string(), v.minLength(40)) }),
      }),
    )
    expectNoValues(error)
    const [issue] = error.issues
    expect(issue).toMatchObject({
      key: 'DB_CREDENTIALS',
      path: ['DB_CREDENTIALS', 'password'],
      rule: 'min_length',
      provider: 'vault',
    })
    expect(issue!.message).toContain('>=40') // what the rule expects is shown: it comes from the schema
  })

  it('valibot: a secret offered to a number schema (default message quotes the string)', async () => {
    expectNoValues(await loadError(v.object({ DB_PASSWORD: v.number() })))
  })

  it('zod: a value transformed before a refine whose message quotes it', async () => {
    const error = await loadError(
      z.object({
        DB_PASSWORD: z
          .string()
          .transform((s) => s.toUpperCase())
          .refine((s) => s.length > 100, { error: (issue) => `too short: ${String(issue.input)}` }),
      }),
    )
    expectNoValues(error)
    expect(error.issues[0]).toMatchObject({ key: 'DB_PASSWORD', rule: 'custom' })
  })

  it('zod: an exception thrown inside a transform, carrying the value', async () => {
    const error = await loadError(
      z.object({
        DB_PASSWORD: z.string().transform((s) => {
          throw new Error(`cannot parse ${s}`)
        }),
      }),
    )
    expectNoValues(error)
    expect(error.issues[0]).toMatchObject({ key: '(schema)', rule: 'exception' })
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('valibot: an exception thrown inside a transform', async () => {
    const error = await loadError(
      v.object({
        DB_PASSWORD: v.pipe(
          v.string(),
          v.transform((s) => {
            throw new TypeError(`bad ${s.toUpperCase()}`)
          }),
        ),
      }),
    )
    expectNoValues(error)
    expect(error.message).toContain('TypeError')
  })

  it('zod: enum and min-length errors on short secrets', async () => {
    const error = await loadError(
      z.object({ APP_PIN: z.enum(['1234', '5678']), DB_PASSWORD: z.string().min(64) }),
    )
    expectNoValues(error)
    expect(error.issues.map((i) => [i.key, i.rule])).toEqual([
      ['APP_PIN', 'invalid_value'],
      ['DB_PASSWORD', 'too_small'],
    ])
  })

  it('arktype: length and literal errors', async () => {
    const error = await loadError(type({ APP_PIN: "'1234' | '5678'", DB_PASSWORD: 'string > 64' }))
    expectNoValues(error)
    expect(error.issues.map((i) => i.key).sort()).toEqual(['APP_PIN', 'DB_PASSWORD'])
  })

  it('a root-level refine quoting a secret is scrubbed', async () => {
    const error = await loadError(
      z
        .object({ DB_PASSWORD: z.string(), PORT: z.string() })
        .refine((o) => o.PORT === o.DB_PASSWORD, { error: (i) => `mismatch ${JSON.stringify(i.input)}` }),
    )
    expectNoValues(error)
  })

  it('parameters keep the schema message, which helps', async () => {
    const error = await loadError(v.object({ PORT: v.number() }))
    expect(error.issues[0]!.message).toContain('"eighty"')
    expect(error.issues[0]!.rule).toBe('number')
  })
})
