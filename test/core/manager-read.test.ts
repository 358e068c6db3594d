import {
  AccessDeniedError,
  type AccessEvent,
  ConfigManager,
  env,
  memory,
  NotFoundError,
  Secret,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const unavailable = (provider: string) => new UnavailableError({ provider, message: 'injected outage' })

describe('reads', () => {
  it('routes secrets and parameters to their chains and wraps secrets', async () => {
    const secrets = memory({ DB_PASSWORD: 'pw' }, { name: 'vault' })
    const params = memory({ DB_HOST: 'db.internal' }, { name: 'params' })
    const manager = new ConfigManager({ secrets: [secrets], parameters: [params] })
    const password = await manager.get('DB_PASSWORD')
    expect(password).toBeInstanceOf(Secret)
    expect((password as Secret).reveal()).toBe('pw')
    expect(await manager.get('DB_HOST')).toBe('db.internal')
    expect(await manager.getParameter('DB_HOST')).toBe('db.internal')
    await expect(manager.getSecret('DB_HOST')).rejects.toBeInstanceOf(NotFoundError) // secret chain has no DB_HOST
  })

  it('getWithMetadata says who served, version, cache state and what was tried', async () => {
    const first = memory({}, { name: 'first' })
    const second = memory({ API_KEY: 'k' }, { name: 'second' })
    const manager = new ConfigManager({ secrets: [first, second] })
    const meta = await manager.getWithMetadata('API_KEY')
    expect(meta).toMatchObject({
      kind: 'secret',
      reason: 'default:secret-word:key',
      provider: 'second',
      version: '1',
      cache: 'miss',
      stale: false,
    })
    expect(meta.tried).toEqual([{ provider: 'first', outcome: 'not-found' }])
    expect((await manager.getWithMetadata('API_KEY')).cache).toBe('fresh')
  })

  it('not found everywhere: one NotFoundError listing every provider; optional returns undefined', async () => {
    const manager = new ConfigManager({ parameters: [memory({}, { name: 'a' }), memory({}, { name: 'b' })] })
    const error = await manager.get('MISSING_FLAG').catch((e) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect(error.key).toBe('MISSING_FLAG')
    expect(error.tried.map((t: { provider: string }) => t.provider)).toEqual(['a', 'b'])
    expect(error.message).toMatch(/a: not found; b: not found/)
    expect(await manager.get('MISSING_FLAG', { optional: true })).toBeUndefined()
  })

  it('rejects bad keys with a typed error and keeps working', async () => {
    const manager = new ConfigManager({ parameters: [memory({ A_FLAG: 'on' })] })
    await expect(manager.get('')).rejects.toBeInstanceOf(ValidationError)
    await expect(manager.get(undefined as unknown as string)).rejects.toBeInstanceOf(ValidationError)
    await expect(manager.get('bad\u0000key')).rejects.toBeInstanceOf(ValidationError)
    expect(await manager.get('A_FLAG')).toBe('on')
  })

  it('rejects things that are not providers', () => {
    expect(() => new ConfigManager({ secrets: [{} as never] })).toThrow(/is not a provider/)
    expect(() => new ConfigManager({ secrets: [memory({}, { name: 'x' }), env({ name: 'x' })] })).toThrow(
      /both named "x"/,
    )
    expect(() => new ConfigManager({ secrets: [env()], parameters: [env()] })).not.toThrow()
  })
})

describe('cache', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('serves hits from cache until ttl, then asks again; fresh bypasses', async () => {
    const store = instrument(memory({ LOG_LEVEL: 'info' }))
    const manager = new ConfigManager({ parameters: [store.provider], cache: { ttl: 1000 } })
    await manager.get('LOG_LEVEL')
    await manager.get('LOG_LEVEL')
    expect(store.calls.get).toBe(1)
    await manager.get('LOG_LEVEL', { fresh: true })
    expect(store.calls.get).toBe(2)
    vi.advanceTimersByTime(1001)
    await manager.get('LOG_LEVEL')
    expect(store.calls.get).toBe(3)
  })

  it('a per-read ttl overrides the default for that entry; cached says where a value came from', async () => {
    const store = instrument(memory({ FEATURE_FLAG: 'on' }))
    const manager = new ConfigManager({ parameters: [store.provider], cache: { ttl: 60_000 } })
    expect((await manager.getWithMetadata('FEATURE_FLAG', { ttl: 100 })).cached).toBe(false)
    expect((await manager.getWithMetadata('FEATURE_FLAG')).cached).toBe(true)
    vi.advanceTimersByTime(150)
    await manager.get('FEATURE_FLAG')
    expect(store.calls.get).toBe(2)
    await expect(manager.get('FEATURE_FLAG', { ttl: -1, fresh: true })).rejects.toBeInstanceOf(
      ValidationError,
    )
  })

  it('maxAge is an alias of ttl; maxEntries bounds the cache', async () => {
    const store = instrument(memory({ A_X: '1', B_X: '2' }))
    const manager = new ConfigManager({
      parameters: [store.provider],
      cache: { maxAge: 10_000, maxEntries: 1 },
    })
    await manager.get('A_X')
    await manager.get('B_X') // evicts A_X
    await manager.get('A_X')
    expect(store.calls.get).toBe(3)
  })

  it('negative caching: a missing key is remembered briefly', async () => {
    const store = instrument(memory({}))
    const manager = new ConfigManager({ parameters: [store.provider], cache: { negativeTtl: 500 } })
    await expect(manager.get('NOPE_FLAG')).rejects.toBeInstanceOf(NotFoundError)
    await expect(manager.get('NOPE_FLAG')).rejects.toBeInstanceOf(NotFoundError)
    expect(store.calls.get).toBe(1)
    vi.advanceTimersByTime(501)
    await expect(manager.get('NOPE_FLAG')).rejects.toBeInstanceOf(NotFoundError)
    expect(store.calls.get).toBe(2)
  })

  it('stale-while-revalidate serves the old value and refreshes in the background', async () => {
    const inner = memory({ MODE_FLAG: 'old' })
    const store = instrument(inner)
    const manager = new ConfigManager({
      parameters: [store.provider],
      cache: { ttl: 100, staleWhileRevalidate: 1000 },
    })
    await manager.get('MODE_FLAG')
    await inner.set('MODE_FLAG', 'new')
    vi.advanceTimersByTime(150)
    const meta = await manager.getWithMetadata('MODE_FLAG')
    expect(meta).toMatchObject({ value: 'old', stale: true, staleReason: 'revalidating', cache: 'stale' })
    await vi.runAllTimersAsync()
    expect(await manager.get('MODE_FLAG')).toBe('new')
  })

  it('stale-if-error serves the last good value when every provider fails, within its bound', async () => {
    const store = instrument(memory({ DB_PASSWORD: 'good' }, { name: 'primary' }))
    const manager = new ConfigManager({
      secrets: [store.provider],
      cache: { ttl: 100, staleIfError: 1000 },
      retry: 0,
    })
    await manager.get('DB_PASSWORD')
    store.setFault(({ operation }) => (operation === 'get' ? unavailable('primary') : undefined))
    vi.advanceTimersByTime(500)
    const meta = await manager.getWithMetadata('DB_PASSWORD')
    expect(meta.stale).toBe(true)
    expect(meta.staleReason).toBe('error')
    expect(meta.error).toBeInstanceOf(UnavailableError)
    expect((meta.value as Secret).reveal()).toBe('good')
    vi.advanceTimersByTime(1000)
    await expect(manager.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
  })

  it('invalidate drops a key or a prefix; clear drops everything', async () => {
    const store = instrument(memory({ APP_A: '1', APP_B: '2', OTHER_X: '3' }))
    const manager = new ConfigManager({ parameters: [store.provider] })
    await manager.getMany(['APP_A', 'APP_B', 'OTHER_X'])
    store.resetCounts()
    expect(manager.invalidate('APP_')).toBe(2)
    await manager.getMany(['APP_A', 'APP_B', 'OTHER_X'])
    expect(store.calls.getMany + store.calls.get).toBe(1)
    manager.clear()
    await manager.get('OTHER_X')
    expect(store.calls.get).toBe(1)
  })
})

describe('single-flight', () => {
  it('1,000 concurrent cold reads of one key make one provider call', async () => {
    const store = instrument(memory({ API_TOKEN: 't' }), { latency: 20 })
    const manager = new ConfigManager({ secrets: [store.provider] })
    const values = await Promise.all(Array.from({ length: 1000 }, () => manager.get('API_TOKEN')))
    expect(store.calls.get).toBe(1)
    expect(new Set(values.map((v) => (v as Secret).reveal()))).toEqual(new Set(['t']))
  })
})

describe('fallback and retries', () => {
  it('moves on after an outage (with retries) and on not-found; one error names every provider', async () => {
    const down = instrument(memory({ DB_PASSWORD: 'primary' }, { name: 'cloud' }), {
      fault: () => unavailable('cloud'),
    })
    const local = instrument(memory({ DB_PASSWORD: 'local' }, { name: 'local' }))
    const manager = new ConfigManager({
      secrets: [down.provider, local.provider],
      retry: { retries: 2, baseDelay: 1 },
    })
    const meta = await manager.getWithMetadata('DB_PASSWORD')
    expect((meta.value as Secret).reveal()).toBe('local')
    expect(meta.provider).toBe('local')
    expect(down.calls.get).toBe(3) // first attempt + 2 retries
    expect(meta.tried).toMatchObject([{ provider: 'cloud', outcome: 'error', code: 'UNAVAILABLE' }])

    local.setFault(() => unavailable('local'))
    const error = await manager.get('OTHER_SECRET').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.message).toContain('cloud: UNAVAILABLE; local: UNAVAILABLE')
  })

  it('stops at access denied unless configured otherwise', async () => {
    const denied = instrument(memory({}, { name: 'cloud' }), {
      fault: () => new AccessDeniedError({ provider: 'cloud' }),
    })
    const local = memory({ API_KEY: 'local' }, { name: 'local' })
    const strict = new ConfigManager({ secrets: [denied.provider, local] })
    await expect(strict.get('API_KEY')).rejects.toBeInstanceOf(AccessDeniedError)
    expect(denied.calls.get).toBe(1) // not retried
    const lenient = new ConfigManager({
      secrets: [denied.provider, local],
      fallback: { on: ['access-denied'] },
    })
    expect(((await lenient.get('API_KEY')) as Secret).reveal()).toBe('local')
    const custom = new ConfigManager({
      secrets: [denied.provider, local],
      fallback: (e) => e instanceof AccessDeniedError,
    })
    expect(((await custom.get('API_KEY')) as Secret).reveal()).toBe('local')
  })

  it('retries throttling, honours retry-after, and succeeds', async () => {
    const store = instrument(memory({ RATE_LIMITED_FLAG: 'ok' }), {
      fault: ({ n }) => (n < 3 ? new ThrottledError({ provider: 'memory', retryAfterMs: 30 }) : undefined),
    })
    const manager = new ConfigManager({
      parameters: [store.provider],
      retry: { retries: 3, baseDelay: 1, maxDelay: 2 },
    })
    vi.useFakeTimers() // each wait is the 30 ms hint (jitter stays under maxDelay 2)
    const read = manager.get('RATE_LIMITED_FLAG')
    await vi.advanceTimersByTimeAsync(29)
    expect(store.calls.get).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(store.calls.get).toBe(2)
    await vi.advanceTimersByTimeAsync(30)
    expect(await read).toBe('ok')
    expect(store.calls.get).toBe(3)
    vi.useRealTimers()
  })

  it('times out a hanging attempt and falls back', async () => {
    const hang = instrument(memory({ SLOW_FLAG: 'never' }, { name: 'hang' }), { latency: 10_000 })
    const manager = new ConfigManager({
      parameters: [hang.provider, memory({ SLOW_FLAG: 'fast' }, { name: 'fast' })],
      retry: { retries: 0, attemptTimeout: 50 },
    })
    const meta = await manager.getWithMetadata('SLOW_FLAG')
    expect(meta.value).toBe('fast')
    expect(meta.tried[0]).toMatchObject({ provider: 'hang', code: 'UNAVAILABLE' })
  })

  it('a retry predicate decides', async () => {
    const store = instrument(memory({}), { fault: () => unavailable('memory') })
    const manager = new ConfigManager({
      parameters: [store.provider],
      retry: { retries: (n) => n < 4, baseDelay: 1 },
    })
    await expect(manager.get('X_FLAG')).rejects.toBeInstanceOf(UnavailableError)
    expect(store.calls.get).toBe(4)
  })
})

describe('getMany, getByPrefix, list', () => {
  it('uses native batches, falls through the chain, and reports per-key errors', async () => {
    const first = instrument(memory({ APP_A: 'a1' }, { name: 'first' }))
    const second = instrument(memory({ APP_B: 'b2', APP_C: 'c2' }, { name: 'second' }))
    const manager = new ConfigManager({ parameters: [first.provider, second.provider] })
    const { values, errors } = await manager.getMany(['APP_A', 'APP_B', 'APP_C', 'APP_MISSING', ''])
    expect(values).toEqual({ APP_A: 'a1', APP_B: 'b2', APP_C: 'c2' })
    expect(errors.APP_MISSING).toBeInstanceOf(NotFoundError)
    expect(errors['']).toBeInstanceOf(ValidationError)
    expect(first.calls.getMany).toBe(1)
    expect(second.calls.getMany).toBe(1)
    expect(first.calls.get + second.calls.get).toBe(0)
  })

  it('reads in parallel with a concurrency limit when a provider has no batch', async () => {
    let inFlight = 0
    let peak = 0
    const base = memory(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`K_${i}`, String(i)])))
    const noBatch = { ...base, capabilities: { ...base.capabilities, batch: false }, getMany: undefined }
    const counting = {
      ...noBatch,
      async get(key: string) {
        peak = Math.max(peak, ++inFlight)
        await new Promise((r) => setTimeout(r, 5))
        inFlight--
        return base.get(key)
      },
    }
    const manager = new ConfigManager({ parameters: [counting], concurrency: 8 })
    const { values } = await manager.getMany(Array.from({ length: 40 }, (_, i) => `K_${i}`))
    expect(Object.keys(values)).toHaveLength(40)
    expect(peak).toBe(8)
  })

  it('getByPrefix and list', async () => {
    const manager = new ConfigManager({
      secrets: [memory({ APP_TOKEN: 't' }, { name: 's' })],
      parameters: [memory({ APP_HOST: 'h', OTHER: 'o' }, { name: 'p' })],
    })
    const listed = await manager.list('APP_')
    expect(listed.map((k) => [k.key, k.kind, k.provider])).toEqual([
      ['APP_HOST', 'parameter', 'p'],
      ['APP_TOKEN', 'secret', 's'],
    ])
    const { values } = await manager.getByPrefix('APP_')
    expect(values.APP_HOST).toBe('h')
    expect((values.APP_TOKEN as Secret).reveal()).toBe('t')
  })
})

describe('events, health, close', () => {
  it('emits access events with key, kind, provider, outcome, latency and cache state — never the value', async () => {
    const events: AccessEvent[] = []
    const manager = new ConfigManager({
      secrets: [memory({ API_KEY: 'value-canary' })],
      onAccess: (e) => events.push(e),
    })
    await manager.get('API_KEY')
    await manager.get('API_KEY')
    await manager.get('NOPE_KEY').catch(() => {})
    expect(events.map((e) => [e.key, e.outcome, e.cache])).toEqual([
      ['API_KEY', 'miss', 'miss'],
      ['API_KEY', 'hit', 'fresh'],
      ['NOPE_KEY', 'not-found', 'miss'],
    ])
    expect(events[0]).toMatchObject({ operation: 'get', kind: 'secret', provider: 'memory', version: '1' })
    expect(typeof events[0]!.latencyMs).toBe('number')
    expect(JSON.stringify(events)).not.toContain('value-canary')
  })

  it('a throwing listener does not break reads', async () => {
    const manager = new ConfigManager({
      parameters: [memory({ A_FLAG: '1' })],
      onAccess: () => {
        throw new Error('boom')
      },
    })
    expect(await manager.get('A_FLAG')).toBe('1')
  })

  it('health reports per provider and never throws; close closes providers', async () => {
    const ok = memory({}, { name: 'ok' })
    const bad = instrument(memory({}, { name: 'bad' }), { fault: () => new Error('down') })
    let closed = false
    const closable = {
      ...memory({}, { name: 'closable' }),
      close: async () => {
        closed = true
      },
    }
    const manager = new ConfigManager({ secrets: [ok, bad.provider], parameters: [closable] })
    const health = await manager.health()
    expect(health.map((h) => [h.provider, h.ok])).toEqual([
      ['ok', true],
      ['bad', false],
      ['closable', true],
    ])
    await manager.close()
    expect(closed).toBe(true)
  })
})

describe('explicit provider references', () => {
  it('provider://key reads from that provider only, cached apart from the chain', async () => {
    const a = memory({ DB_PASSWORD: 'from-a' }, { name: 'a' })
    const b = memory({ DB_PASSWORD: 'from-b' }, { name: 'b' })
    const manager = new ConfigManager({ secrets: [a, b], allowWrites: true })
    expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-a')
    expect(((await manager.get('b://DB_PASSWORD')) as Secret).reveal()).toBe('from-b')
    expect((await manager.getWithMetadata('b://DB_PASSWORD')).provider).toBe('b')
    await manager.set('b://DB_PASSWORD', 'new-b')
    expect(((await manager.get('b://DB_PASSWORD')) as Secret).reveal()).toBe('new-b')
    expect(((await manager.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-a')
    // an unknown scheme is just part of the key
    await expect(manager.get('nope://DB_PASSWORD')).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('list with a provider in both chains', () => {
  it('lists it once, each key with the kind its name gives it', async () => {
    const vars = { APP_TOKEN: 't', APP_HOST: 'h' }
    const manager = new ConfigManager({ secrets: [env({ env: vars })], parameters: [env({ env: vars })] })
    expect((await manager.list('APP_')).map((k) => [k.key, k.kind])).toEqual([
      ['APP_HOST', 'parameter'],
      ['APP_TOKEN', 'secret'],
    ])
    const { values } = await manager.getByPrefix('APP_')
    expect(values.APP_HOST).toBe('h')
    expect(values.APP_TOKEN).toBeInstanceOf(Secret)
  })
})
