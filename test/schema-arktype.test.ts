/** load(schema) with arktype, the third Standard Schema library the issue names (zod and valibot: core's tests). */
import { ConfigManager, ConfigValidationError, memory, Secret } from '@polysecret/core'
import { type } from 'arktype'
import { describe, expect, expectTypeOf, it } from 'vitest'

const manager = () =>
  new ConfigManager({
    secrets: [memory({ DB_PASSWORD: 'pw-canary-arktype' }, { name: 'secrets' })],
    parameters: [memory({ PORT: '8080', DEBUG: 'false', DB_HOST: 'db' }, { name: 'params' })],
  })

describe('load(schema) with arktype', () => {
  it('reads, coerces, keeps secrets wrapped and is typed', async () => {
    const config = await manager().load(
      type({
        PORT: 'number',
        DEBUG: 'boolean',
        DB_HOST: 'string',
        DB_PASSWORD: type.instanceOf(Secret),
        'MISSING_FLAG?': 'string',
      }),
    )
    expect(config).toMatchObject({ PORT: 8080, DEBUG: false, DB_HOST: 'db' })
    expect(config.DB_PASSWORD.reveal()).toBe('pw-canary-arktype')
    expect(config.MISSING_FLAG).toBeUndefined()
    expectTypeOf(config.PORT).toEqualTypeOf<number>()
    expectTypeOf(config.DB_PASSWORD).toEqualTypeOf<Secret>()
  })

  it('reports every problem at once, without values', async () => {
    const error = await manager()
      .load(type({ PORT: 'string.email', DB_PASSWORD: 'number', NOPE_URL: 'string' }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(ConfigValidationError)
    expect(error.issues.map((i: { key: string }) => i.key).sort()).toEqual([
      'DB_PASSWORD',
      'NOPE_URL',
      'PORT',
    ])
    expect(error.message).not.toContain('pw-canary-arktype')
  })
})
