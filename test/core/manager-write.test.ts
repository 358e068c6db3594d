import {
  type AccessEvent,
  ConfigManager,
  ConflictError,
  env,
  memory,
  ReadOnlyError,
  type Secret,
  UnsupportedError,
  ValidationError,
  WriteError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

describe('writes', () => {
  it('are off by default: ReadOnlyError, and nothing is written', async () => {
    const store = memory({})
    const manager = new ConfigManager({ secrets: [store] })
    await expect(manager.set('API_KEY', 'x')).rejects.toBeInstanceOf(ReadOnlyError)
    expect(await store.get('API_KEY')).toBeUndefined()
  })

  it('a provider-level writable flag allows writes to that provider only', async () => {
    const writable = { ...memory({}, { name: 'w' }), writable: true }
    const other = memory({}, { name: 'o' })
    const manager = new ConfigManager({ secrets: [writable, other] })
    await manager.set('API_KEY', 'x')
    await expect(manager.set('API_KEY', 'x', { to: 'o' })).rejects.toBeInstanceOf(ReadOnlyError)
  })

  it('go to the first writable provider of the chain, invalidate the cache and emit an event without the value', async () => {
    const events: AccessEvent[] = []
    const store = memory({ DB_PASSWORD: 'old' })
    const manager = new ConfigManager({
      secrets: [env({ env: {} }), store],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('old')
    const result = await manager.set('DB_PASSWORD', 'new-canary-value')
    expect(result).toMatchObject({
      key: 'DB_PASSWORD',
      kind: 'secret',
      version: '2',
      results: [{ provider: 'memory', ok: true, version: '2' }],
    })
    expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('new-canary-value')
    expect(events.find((e) => e.operation === 'set')).toMatchObject({
      key: 'DB_PASSWORD',
      provider: 'memory',
      outcome: 'ok',
      version: '2',
    })
    expect(JSON.stringify(events)).not.toContain('new-canary-value')
  })

  it('classify the write by its value (a URL with a password becomes a secret)', async () => {
    const secrets = memory({}, { name: 'secrets' })
    const params = memory({}, { name: 'params' })
    const manager = new ConfigManager({ secrets: [secrets], parameters: [params], allowWrites: true })
    const result = await manager.set('DATABASE_URL', 'postgres://app:pw@db/app')
    expect(result).toMatchObject({ kind: 'secret', reason: 'value:url-with-password' })
    expect(await secrets.get('DATABASE_URL')).toBeDefined()
    expect(await params.get('DATABASE_URL')).toBeUndefined()
  })

  it('multi-destination: a result per destination, and no silent partial success', async () => {
    const a = memory({}, { name: 'a' })
    const b = instrument(memory({}, { name: 'b' }))
    const manager = new ConfigManager({ secrets: [env({ env: {} }), a, b.provider], allowWrites: true })
    const all = await manager.set('API_KEY', 'v1', { to: 'all' }) // env cannot write: not a destination
    expect(all.results.map((r) => [r.provider, r.ok])).toEqual([
      ['a', true],
      ['b', true],
    ])
    b.setFault(({ operation }) => (operation === 'set' ? new Error('disk full') : undefined))
    const error = await manager.set('API_KEY', 'v2', { to: ['a', 'b'] }).catch((e) => e)
    expect(error).toBeInstanceOf(WriteError)
    expect(error.results.map((r: { provider: string; ok: boolean }) => [r.provider, r.ok])).toEqual([
      ['a', true],
      ['b', false],
    ])
    expect(error.message).toContain('"b"')
    await expect(manager.set('API_KEY', 'v', { to: 'nope' })).rejects.toBeInstanceOf(ValidationError)
  })

  it('ifVersion and createOnly give ConflictError and lose nothing', async () => {
    const store = memory({ API_KEY: 'v1' })
    const manager = new ConfigManager({ secrets: [store], allowWrites: true })
    await expect(manager.set('API_KEY', 'x', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(manager.set('API_KEY', 'x', { ifVersion: '7' })).rejects.toBeInstanceOf(ConflictError)
    await manager.set('API_KEY', 'v2', { ifVersion: '1' })
    expect(((await manager.get('API_KEY')) as Secret).reveal()).toBe('v2')
  })

  it('delete removes and invalidates; a provider without the capability gives UnsupportedError', async () => {
    const store = memory({ API_KEY: 'v1' })
    const manager = new ConfigManager({
      secrets: [store],
      parameters: [env({ env: { MODE: 'x' } })],
      allowWrites: true,
    })
    await manager.get('API_KEY')
    await manager.delete('API_KEY')
    await expect(manager.get('API_KEY', { optional: true })).resolves.toBeUndefined()
    const error = await manager.set('MODE', 'y').catch((e) => e)
    expect(error).toBeInstanceOf(UnsupportedError)
    expect(error.capability).toBe('write')
  })
})

describe('versions, rollback, rotate', () => {
  it('lists versions, reads an old one, rolls back', async () => {
    const manager = new ConfigManager({ secrets: [memory({ API_KEY: 'one' })], allowWrites: true })
    await manager.set('API_KEY', 'two')
    const versions = await manager.versions('API_KEY')
    expect(versions.map((v) => [v.version, v.current])).toEqual([
      ['2', true],
      ['1', false],
    ])
    expect(((await manager.get('API_KEY', { version: '1' })) as Secret).reveal()).toBe('one')
    await manager.rollback('API_KEY', '1')
    expect(((await manager.get('API_KEY')) as Secret).reveal()).toBe('one')
  })

  it('versions on a provider without them is UnsupportedError naming the capability', async () => {
    const manager = new ConfigManager({ secrets: [env({ env: { API_KEY: 'x' } })], allowWrites: true })
    const error = await manager.versions('API_KEY').catch((e) => e)
    expect(error).toBeInstanceOf(UnsupportedError)
    expect(error.capability).toBe('versions')
    expect(error.provider).toBe('env')
    await expect(manager.get('API_KEY', { version: '1' })).rejects.toBeInstanceOf(UnsupportedError)
  })

  it('rotate writes a new version (given or generated) and returns old and new ids', async () => {
    const manager = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'old' })], allowWrites: true })
    const given = await manager.rotate('DB_PASSWORD', { value: 'given' })
    expect(given).toEqual({
      key: 'DB_PASSWORD',
      provider: 'memory',
      previousVersion: '1',
      newVersion: '2',
      version: '2',
    })
    const generated = await manager.rotate('DB_PASSWORD', { generate: { type: 'password', length: 40 } })
    expect(generated.previousVersion).toBe('2')
    const value = ((await manager.get('DB_PASSWORD')) as Secret).reveal()
    expect(value).toHaveLength(40)
    const created = await manager.rotate('NEW_TOKEN', {
      generate: { type: 'bytes', bytes: 16, encoding: 'hex' },
    })
    expect(created.previousVersion).toBeUndefined()
    expect(((await manager.get('NEW_TOKEN')) as Secret).reveal()).toMatch(/^[0-9a-f]{32}$/)
  })

  it('rotate is refused when writes are off', async () => {
    const manager = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'old' })] })
    await expect(manager.rotate('DB_PASSWORD', { value: 'x' })).rejects.toBeInstanceOf(ReadOnlyError)
  })
})

describe('watch and live config', () => {
  afterEach(() => vi.useRealTimers())

  it('calls the listener with previous and new version when a value changes', async () => {
    vi.useFakeTimers()
    const store = memory({ FEATURE_FLAG: 'off' })
    const manager = new ConfigManager({ parameters: [store] })
    const changes: unknown[] = []
    const watcher = await manager.watch(['FEATURE_FLAG'], (...args) => changes.push(args), { interval: 1000 })
    await store.set('FEATURE_FLAG', 'on')
    await vi.advanceTimersByTimeAsync(1200)
    expect(changes).toEqual([['FEATURE_FLAG', '1', '2']])
    expect(await manager.get('FEATURE_FLAG')).toBe('on')
    await vi.advanceTimersByTimeAsync(5000)
    expect(changes).toHaveLength(1)
    watcher.close()
  })

  it('watches a prefix, including keys that appear later', async () => {
    vi.useFakeTimers()
    const store = memory({ APP_A: '1' })
    const manager = new ConfigManager({ parameters: [store] })
    const changes: string[] = []
    const watcher = await manager.watch('APP_', (key) => changes.push(key), { interval: 500 })
    await store.set('APP_B', 'new')
    await vi.advanceTimersByTimeAsync(600)
    expect(changes).toEqual(['APP_B'])
    watcher.close()
  })

  it('refuses providers without the watch capability', async () => {
    const manager = new ConfigManager({ parameters: [env({ env: { MODE: 'x' } })] })
    const error = await manager.watch(['MODE'], () => {}).catch((e) => e)
    expect(error).toBeInstanceOf(UnsupportedError)
    expect(error.capability).toBe('watch')
  })

  it('load({ watch: true }) swaps atomically on change and keeps the last good config on invalid values', async () => {
    vi.useFakeTimers()
    const store = memory({ PORT: '8080', LOG_LEVEL: 'info' })
    const manager = new ConfigManager({ parameters: [store] })
    const live = await manager.load(z.object({ PORT: z.number(), LOG_LEVEL: z.enum(['info', 'debug']) }), {
      watch: true,
      interval: 1000,
    })
    expect(live.current).toEqual({ PORT: 8080, LOG_LEVEL: 'info' })
    expect(live.PORT).toBe(8080) // the live object also reads like the config
    expect({ ...live }).toEqual({ PORT: 8080, LOG_LEVEL: 'info' })
    expect(JSON.stringify(live)).toBe('{"PORT":8080,"LOG_LEVEL":"info"}')
    const seen: unknown[] = []
    const errors: unknown[] = []
    live.onChange((next, previous, keys) => seen.push([next, previous, keys]))
    live.onError((e) => errors.push(e))
    const before = live.current
    await store.set('LOG_LEVEL', 'debug')
    await vi.advanceTimersByTimeAsync(1200)
    expect(live.current).toEqual({ PORT: 8080, LOG_LEVEL: 'debug' })
    expect(live.LOG_LEVEL).toBe('debug')
    expect(before).toEqual({ PORT: 8080, LOG_LEVEL: 'info' }) // the old object was not mutated
    expect(seen).toHaveLength(1)
    await store.set('PORT', 'not-a-number')
    await vi.advanceTimersByTimeAsync(1200)
    expect(live.current).toEqual({ PORT: 8080, LOG_LEVEL: 'debug' })
    expect(errors).toHaveLength(1)
    live.close()
  })
})

describe('live config with keys that cannot change', () => {
  afterEach(() => vi.useRealTimers())

  it('watches what can be watched and leaves env-served keys alone', async () => {
    vi.useFakeTimers()
    const store = memory({ LOG_LEVEL: 'info' })
    const manager = new ConfigManager({ parameters: [env({ env: { PORT: '80' } }), store] })
    const live = await manager.load(z.object({ PORT: z.number(), LOG_LEVEL: z.string() }), {
      watch: true,
      interval: 500,
    })
    await store.set('LOG_LEVEL', 'debug')
    await vi.advanceTimersByTimeAsync(600)
    expect(live.current).toEqual({ PORT: 80, LOG_LEVEL: 'debug' })
    live.close()
    await expect(manager.watch(['PORT', 'LOG_LEVEL'], () => {})).rejects.toBeInstanceOf(UnsupportedError)
    const partial = await manager.watch(['PORT', 'LOG_LEVEL'], () => {}, { unwatchable: 'ignore' })
    expect(partial.keys).toEqual(['LOG_LEVEL'])
    partial.close()
  })
})
