import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/errors.js'
import { env } from '../../src/providers/env.js'
import { collect } from '../fixtures/temp-dir.js'

describe('env()', () => {
  const vars = { APP_DB_HOST: 'db', APP_EMPTY: '', OTHER: 'x' }

  it('reads variables through the prefix, empty is a value and unset is not found', async () => {
    const p = env({ prefix: 'APP_', env: vars })
    expect(await p.get('DB_HOST')).toEqual({ value: 'db' })
    expect(await p.get('EMPTY')).toEqual({ value: '' })
    expect(await p.get('OTHER')).toBeUndefined()
    expect(await p.get('MISSING')).toBeUndefined()
  })

  it('lists keys with the prefix stripped, filtered by a key prefix', async () => {
    const p = env({ prefix: 'APP_', env: vars })
    expect((await collect(p.list())).map((k) => k.key).sort()).toEqual(['DB_HOST', 'EMPTY'])
    expect((await collect(p.list('DB'))).map((k) => k.key)).toEqual(['DB_HOST'])
  })

  it('is read-only, named after its type by default, and sees live changes', async () => {
    const live: Record<string, string> = {}
    const p = env({ env: live })
    expect(p.name).toBe('env')
    expect(p.type).toBe('env')
    expect(p.capabilities).toMatchObject({ write: false, delete: false, list: true })
    expect('set' in p).toBe(false)
    live.LATE = 'yes'
    expect(await p.get('LATE')).toEqual({ value: 'yes' })
    expect(await p.health()).toEqual({ ok: true })
  })

  it('defaults to process.env', async () => {
    process.env.POLYSECRET_TEST_ENV_VAR = 'from-process'
    try {
      expect((await env().get('POLYSECRET_TEST_ENV_VAR'))?.value).toBe('from-process')
    } finally {
      delete process.env.POLYSECRET_TEST_ENV_VAR
    }
  })

  it('validates options eagerly', () => {
    expect(() => env({ prefix: 3 as unknown as string })).toThrow(ValidationError)
    expect(() => env({ name: '' })).toThrow(ValidationError)
    expect(() => env({ env: null as unknown as Record<string, string> })).toThrow(ValidationError)
  })
})
