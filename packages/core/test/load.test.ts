import { ConfigManager, ConfigValidationError, memory, Secret, ValidationError } from '@polysecret/core'
import * as v from 'valibot'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

const stores = () => ({
  secrets: [memory({ DB_PASSWORD: 'pw-canary-123456', API_KEY: 'k-canary' }, { name: 'secret-store' })],
  parameters: [
    memory(
      { DB_HOST: 'db', DB_PORT: '5432', DEBUG: 'true', FEATURES: '{"beta":true}', RATIO: '0.5' },
      { name: 'param-store' },
    ),
  ],
})

describe('load(schema) with zod', () => {
  it('reads every key, coerces numbers/booleans/JSON, keeps secrets wrapped, and is typed', async () => {
    const manager = new ConfigManager(stores())
    const config = await manager.load(
      z.object({
        DB_HOST: z.string(),
        DB_PORT: z.number().int(),
        DEBUG: z.boolean(),
        FEATURES: z.object({ beta: z.boolean() }),
        RATIO: z.number(),
        DB_PASSWORD: z.instanceof(Secret).refine((s) => s.reveal().length >= 8, 'too short'),
        API_KEY: z.string(),
        OPTIONAL_FLAG: z.string().optional(),
        WITH_DEFAULT: z.string().default('fallback'),
      }),
    )
    expect(config).toMatchObject({
      DB_HOST: 'db',
      DB_PORT: 5432,
      DEBUG: true,
      FEATURES: { beta: true },
      RATIO: 0.5,
      API_KEY: 'k-canary',
      WITH_DEFAULT: 'fallback',
    })
    expect(config.OPTIONAL_FLAG).toBeUndefined()
    expect(config.DB_PASSWORD).toBeInstanceOf(Secret)
    expect(config.DB_PASSWORD.reveal()).toBe('pw-canary-123456')
    expectTypeOf(config.DB_PORT).toEqualTypeOf<number>()
    expectTypeOf(config.DB_PASSWORD).toEqualTypeOf<Secret>()
    expectTypeOf(config.API_KEY).toEqualTypeOf<string>() // the schema asked for a plain string
    expectTypeOf(config.OPTIONAL_FLAG).toEqualTypeOf<string | undefined>()
  })

  it('a schema that accepts Secret keeps it', async () => {
    const manager = new ConfigManager(stores())
    const config = await manager.load(z.object({ DB_PASSWORD: z.instanceof(Secret) }))
    expect(config.DB_PASSWORD.reveal()).toBe('pw-canary-123456')
  })

  it('reports every problem at once with key, reason and provider — never a value', async () => {
    const manager = new ConfigManager(stores())
    const error = await manager
      .load(
        z.object({
          DB_PORT: z.number().max(1000),
          DB_HOST: z.enum(['primary', 'replica']),
          DB_PASSWORD: z.string().min(100),
          MISSING_URL: z.string(),
          API_KEY: z.string().refine(() => false, { message: 'bad key' }),
        }),
      )
      .catch((e) => e)
    expect(error).toBeInstanceOf(ConfigValidationError)
    const byKey = Object.fromEntries(error.issues.map((i: { key: string }) => [i.key, i]))
    expect(Object.keys(byKey).sort()).toEqual(['API_KEY', 'DB_HOST', 'DB_PASSWORD', 'DB_PORT', 'MISSING_URL'])
    expect(byKey.DB_PORT.provider).toBe('param-store')
    expect(byKey.DB_PASSWORD.provider).toBe('secret-store')
    expect(byKey.MISSING_URL.message).toMatch(/not found \(tried param-store, secret-store\)/)
    expect(error.message).toContain('DB_PORT')
    for (const text of [error.message, error.stack, JSON.stringify(error.issues)]) {
      expect(text).not.toContain('pw-canary')
      expect(text).not.toContain('k-canary')
    }
  })
})

describe('load(schema) with valibot', () => {
  it('reads, coerces, validates and types', async () => {
    const manager = new ConfigManager(stores())
    const config = await manager.load(
      v.object({
        DB_HOST: v.string(),
        DB_PORT: v.number(),
        DEBUG: v.boolean(),
        DB_PASSWORD: v.instance(Secret),
        MAYBE: v.optional(v.string(), 'x'),
      }),
    )
    expect(config).toMatchObject({ DB_HOST: 'db', DB_PORT: 5432, DEBUG: true, MAYBE: 'x' })
    expect(config.DB_PASSWORD.reveal()).toBe('pw-canary-123456')
    expectTypeOf(config.DB_PORT).toEqualTypeOf<number>()
  })

  it('collects every issue', async () => {
    const manager = new ConfigManager(stores())
    const error = await manager.load(v.object({ DB_HOST: v.number(), NOPE_HOST: v.string() })).catch((e) => e)
    expect(error).toBeInstanceOf(ConfigValidationError)
    expect(error.issues.map((i: { key: string }) => i.key).sort()).toEqual(['DB_HOST', 'NOPE_HOST'])
  })
})

describe('load(schema) bad input', () => {
  it('refuses a schema that is not an object schema, and keeps working', async () => {
    const manager = new ConfigManager(stores())
    await expect(manager.load(z.string() as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(manager.load({} as never)).rejects.toThrow(/Standard Schema/)
    expect(await manager.get('DB_HOST')).toBe('db')
  })

  it('reads keys in parallel through the manager (one batch per chain)', async () => {
    const secrets = memory({ A_SECRET: 'a', B_SECRET: 'b' })
    let batches = 0
    const counted = {
      ...secrets,
      getMany: (keys: readonly string[]) => {
        batches++
        return secrets.getMany(keys)
      },
    }
    const manager = new ConfigManager({ secrets: [counted] })
    await manager.load(z.object({ A_SECRET: z.instanceof(Secret), B_SECRET: z.instanceof(Secret) }))
    expect(batches).toBe(1)
  })
})
