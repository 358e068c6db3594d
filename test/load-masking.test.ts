/**
 * `load(schema)` as most users write it — `z.object({ DB_PASSWORD: z.string() })` — gives plain
 * strings for use, yet the config object prints its secrets masked; so does the live config.
 */
import { format, inspect } from 'node:util'
import { ConfigManager, memory, revealConfig, Secret } from '@polysecret/core'
import { type } from 'arktype'
import * as v from 'valibot'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

const PASSWORD = 'hunter2-LEAK-9f1c'
const JSON_SECRET = JSON.stringify({ user: 'app', password: 'nested-LEAK-44d1', port: 5432 })

function manager() {
  const store = memory(
    { DB_PASSWORD: PASSWORD, DB_CREDENTIALS: JSON_SECRET, DB_HOST: 'db.internal', APP_PIN: '481' },
    { name: 'store' },
  )
  return { store, manager: new ConfigManager({ secrets: [store], parameters: [store] }) }
}

/** Every way the object can end up in a log line. */
function printed(value: unknown): string {
  return [
    inspect(value),
    inspect(value, { showHidden: true, depth: 10 }),
    format('%o', value),
    format('%O', value),
    format('%j', value),
    format('%s', value),
    JSON.stringify(value),
    JSON.stringify(value, null, 2),
    String(value),
    `${value}`,
  ].join('\n')
}

afterEach(() => vi.useRealTimers())

const isMaskedPrint = (value: unknown) => JSON.stringify(value).includes('[REDACTED]')

describe('a loaded config prints secrets masked and uses them plain', () => {
  const schemas = {
    zod: z.object({ DB_PASSWORD: z.string(), DB_HOST: z.string(), APP_PIN: z.string() }),
    valibot: v.object({ DB_PASSWORD: v.string(), DB_HOST: v.string(), APP_PIN: v.string() }),
    arktype: type({ DB_PASSWORD: 'string', DB_HOST: 'string', APP_PIN: 'string' }),
  }
  for (const [library, schema] of Object.entries(schemas)) {
    it(`${library}: fields are plain strings, printing masks the secrets only`, async () => {
      const config = (await manager().manager.load(schema)) as Record<string, string>
      expect(config.DB_PASSWORD).toBe(PASSWORD)
      expect(typeof config.DB_PASSWORD).toBe('string')
      expect(config.APP_PIN).toBe('481')
      const out = printed(config)
      expect(out).not.toContain(PASSWORD)
      expect(out).not.toContain('481')
      expect(out).toContain('db.internal') // parameters print as they are
      expect(inspect(config)).toContain('DB_PASSWORD: [REDACTED]')
      expect(JSON.parse(JSON.stringify(config))).toEqual({
        DB_PASSWORD: '[REDACTED]',
        DB_HOST: 'db.internal',
        APP_PIN: '[REDACTED]',
      })
    })
  }

  it('keys, spreading and equality stay normal; copies are plain (documented)', async () => {
    const config = await manager().manager.load(z.object({ DB_PASSWORD: z.string(), DB_HOST: z.string() }))
    expect(Object.keys(config)).toEqual(['DB_PASSWORD', 'DB_HOST'])
    expect({ ...config }).toEqual({ DB_PASSWORD: PASSWORD, DB_HOST: 'db.internal' })
    expect(structuredClone(config)).toEqual({ DB_PASSWORD: PASSWORD, DB_HOST: 'db.internal' })
    const { DB_PASSWORD } = config
    expect(DB_PASSWORD === PASSWORD).toBe(true)
  })

  it('a JSON secret parsed into an object masks every value inside it, wherever it is printed', async () => {
    const config = await manager().manager.load(
      z.object({
        DB_CREDENTIALS: z.object({ user: z.string(), password: z.string(), port: z.number() }),
      }),
    )
    expect(config.DB_CREDENTIALS.password).toBe('nested-LEAK-44d1')
    for (const out of [printed(config), printed(config.DB_CREDENTIALS)]) {
      expect(out).not.toContain('nested-LEAK-44d1')
      expect(out).not.toContain('5432')
    }
    expect(inspect(config.DB_CREDENTIALS)).toContain('password: [REDACTED]')
  })

  it('valibot and arktype nested secrets mask too', async () => {
    const { manager: m } = manager()
    const viaValibot = await m.load(
      v.object({ DB_CREDENTIALS: v.object({ user: v.string(), password: v.string() }) }),
    )
    const viaArktype = await m.load(type({ DB_CREDENTIALS: { user: 'string', password: 'string' } }))
    for (const config of [viaValibot, viaArktype]) {
      expect(config.DB_CREDENTIALS.password).toBe('nested-LEAK-44d1')
      expect(printed(config)).not.toContain('nested-LEAK-44d1')
    }
  })

  it('a Secret the schema keeps wrapped prints as a Secret', async () => {
    const config = await manager().manager.load(z.object({ DB_PASSWORD: z.instanceof(Secret) }))
    expect(config.DB_PASSWORD.reveal()).toBe(PASSWORD)
    expect(printed(config)).not.toContain(PASSWORD)
  })

  it('revealConfig gives a deep, unmasked, plain copy on purpose', async () => {
    const config = await manager().manager.load(
      z.object({
        DB_PASSWORD: z.string(),
        DB_CREDENTIALS: z.object({ user: z.string(), password: z.string() }),
      }),
    )
    const plain = revealConfig(config)
    expect(JSON.parse(JSON.stringify(plain))).toEqual({
      DB_PASSWORD: PASSWORD,
      DB_CREDENTIALS: { user: 'app', password: 'nested-LEAK-44d1' },
    })
    expect(inspect(plain)).toContain(PASSWORD)
    expect(printed(config)).not.toContain(PASSWORD) // the original still masks
  })
})

describe('a live config prints masked too', () => {
  it('the live view, .current, and the configs onChange receives', async () => {
    vi.useFakeTimers()
    const { store, manager: m } = manager()
    const live = await m.load(z.object({ DB_PASSWORD: z.string(), DB_HOST: z.string() }), {
      watch: true,
      interval: 1000,
    })
    expect(live.DB_PASSWORD).toBe(PASSWORD)
    expect(live.current.DB_PASSWORD).toBe(PASSWORD)
    expect(printed(live)).not.toContain(PASSWORD)
    expect(printed(live)).toContain('db.internal')
    expect(printed(live.current)).not.toContain(PASSWORD)
    const seen: unknown[] = []
    live.onChange((next, previous) => seen.push(next, previous))
    await store.set!('DB_PASSWORD', 'rotated-LEAK-77aa')
    await vi.advanceTimersByTimeAsync(1200)
    expect(live.DB_PASSWORD).toBe('rotated-LEAK-77aa')
    expect(seen).toHaveLength(2)
    const out = printed(seen) + printed(live)
    expect(out).not.toContain('rotated-LEAK-77aa')
    expect(out).not.toContain(PASSWORD)
    const plain: { DB_PASSWORD: string; DB_HOST: string } = revealConfig(live)
    expect(plain).toEqual({ DB_PASSWORD: 'rotated-LEAK-77aa', DB_HOST: 'db.internal' })
    expect(isMaskedPrint(plain)).toBe(false)
    live.close()
  })
})

describe('a parameter-named key whose value is a credential', () => {
  it('loads as a plain string and prints masked, like a secret named as one', async () => {
    const url = 'postgres://app:db-LEAK-77a2@db.internal/app'
    const parameters = memory({ DATABASE_URL: url, DB_HOST: 'db.internal' }, { name: 'params' })
    const manager = new ConfigManager({
      secrets: [memory({}, { name: 'secrets' })],
      parameters: [parameters],
    })
    const config = await manager.load(z.object({ DATABASE_URL: z.string(), DB_HOST: z.string() }))
    expect(config.DATABASE_URL).toBe(url)
    expect(printed(config)).not.toContain('db-LEAK-77a2')
    expect(JSON.parse(JSON.stringify(config))).toEqual({ DATABASE_URL: '[REDACTED]', DB_HOST: 'db.internal' })
  })
})
