import { inspect } from 'node:util'
import {
  AccessDeniedError,
  type AccessEvent,
  ConfigManager,
  env,
  memory,
  NotFoundError,
  PolysecretError,
  type Provider,
  READ_ONLY,
  Secret,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

const S = 'sup3r-s3cret-value-XYZ'

afterEach(() => {
  vi.useRealTimers()
})

describe('contract: Secret wrapper', () => {
  it('never prints the value', async () => {
    const mgr = new ConfigManager({ secrets: [memory({ DB_PASSWORD: S })] })
    const s = await mgr.get('DB_PASSWORD')
    expect(s).toBeInstanceOf(Secret)
    expect(String(s)).not.toContain(S)
    expect(`${s}`).not.toContain(S)
    expect(`x${s as Secret}`).not.toContain(S)
    expect(JSON.stringify({ s })).not.toContain(S)
    expect(inspect(s, { showHidden: true, depth: 10, getters: true })).not.toContain(S)
    expect(inspect({ nested: [s] })).not.toContain(S)
    expect(Object.keys(s as object)).toEqual([])
    expect(JSON.stringify(Object.entries(s as object))).not.toContain(S)
    expect((s as Secret).reveal()).toBe(S)
  })
  it('console.log does not show it', async () => {
    const mgr = new ConfigManager({ secrets: [memory({ API_KEY: S })] })
    const s = await mgr.get('API_KEY')
    const spy = vi.spyOn(process.stdout, 'write')
    try {
      console.log(s)
      console.log('%s %o %O %j', s, s, s, s)
      console.log({ s })
      const out = spy.mock.calls.map((c) => String(c[0])).join('')
      expect(out).not.toContain(S)
    } finally {
      spy.mockRestore()
    }
  })
  it('structuredClone / spread do not leak', async () => {
    const mgr = new ConfigManager({ secrets: [memory({ API_KEY: S })] })
    const s = (await mgr.get('API_KEY')) as Secret
    expect(JSON.stringify({ ...s })).not.toContain(S)
    // structuredClone copies own enumerable fields only: the value lives in a private field, so the
    // clone is an empty object.
    expect(structuredClone(s)).toEqual({})
  })
  it('parameters come back as plain strings', async () => {
    const mgr = new ConfigManager({ parameters: [memory({ DB_HOST: 'db' })] })
    expect(await mgr.get('DB_HOST')).toBe('db')
    expect(await mgr.getParameter('DB_HOST')).toBe('db')
  })
})

describe('contract: get / metadata / not found', () => {
  it('NotFoundError lists every provider tried with reason', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({}, { name: 'a' }), memory({}, { name: 'b' })],
    })
    const e = await mgr.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(NotFoundError)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(e.key).toBe('DB_PASSWORD')
    expect(e.tried.map((t: { provider: string }) => t.provider)).toEqual(['a', 'b'])
    expect(e.tried.every((t: { outcome: string }) => t.outcome === 'not-found')).toBe(true)
    expect(e.message).toContain('a')
    expect(e.message).toContain('b')
    expect(e.hint).toBeTruthy()
  })
  it('optional: true returns undefined', async () => {
    const mgr = new ConfigManager({ secrets: [memory({})] })
    expect(await mgr.get('DB_PASSWORD', { optional: true })).toBeUndefined()
  })
  it('optional: true still throws non-not-found errors', async () => {
    const st = instrument(memory({}), { fault: () => new AccessDeniedError({ provider: 'memory' }) })
    const mgr = new ConfigManager({ secrets: [st.provider] })
    await expect(mgr.get('DB_PASSWORD', { optional: true })).rejects.toBeInstanceOf(AccessDeniedError)
  })
  it('getWithMetadata reports provider, version, cache state and tried', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({}, { name: 'first' }), memory({ DB_PASSWORD: S }, { name: 'second' })],
    })
    const md = await mgr.getWithMetadata('DB_PASSWORD')
    expect(md.provider).toBe('second')
    expect(md.kind).toBe('secret')
    expect(md.version).toBe('1')
    expect(md.cached).toBe(false)
    expect(md.cache).toBe('miss')
    expect(md.stale).toBe(false)
    expect(md.tried.map((t) => t.provider)).toEqual(['first'])
    expect((md.tried[0] as { outcome: string }).outcome).toBe('not-found')
    expect(md.value).toBeInstanceOf(Secret)
    expect(JSON.stringify(md)).not.toContain(S)
    expect(inspect(md, { depth: 10 })).not.toContain(S)
    const md2 = await mgr.getWithMetadata('DB_PASSWORD')
    expect(md2.cached).toBe(true)
    expect(md2.cache).toBe('fresh')
    expect(md2.provider).toBe('second')
  })
  it('kind hint on get routes to secrets chain', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({ X_HOST: 'sec' }, { name: 's' })],
      parameters: [memory({ X_HOST: 'par' }, { name: 'p' })],
    })
    expect(await mgr.get('X_HOST')).toBe('par')
    const s = await mgr.get('X_HOST', { kind: 'secret' })
    expect(s).toBeInstanceOf(Secret)
    expect((s as Secret).reveal()).toBe('sec')
  })
  it('cache is per kind: getSecret after getParameter of the same key gets the secret chain', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({ X_HOST: 'sec' }, { name: 's' })],
      parameters: [memory({ X_HOST: 'par' }, { name: 'p' })],
    })
    expect(await mgr.getParameter('X_HOST')).toBe('par')
    const s = await mgr.getSecret('X_HOST')
    expect(s).toBeInstanceOf(Secret)
    expect(s.reveal()).toBe('sec')
    // and the other way round: a secret must never come back as a plain string
    const mgr2 = new ConfigManager({
      secrets: [memory({ X_HOST: 'sec' }, { name: 's' })],
      parameters: [memory({ X_HOST: 'par' }, { name: 'p' })],
    })
    await mgr2.getSecret('X_HOST')
    expect(await mgr2.getParameter('X_HOST')).toBe('par')
  })
  it('same provider instance in both chains: getParameter on a cached secret never yields the secret as string', async () => {
    const shared = memory({ DB_PASSWORD: S })
    const mgr = new ConfigManager({ secrets: [shared], parameters: [shared] })
    const s = await mgr.get('DB_PASSWORD')
    expect(s).toBeInstanceOf(Secret)
    const again = await mgr.get('DB_PASSWORD')
    expect(again).toBeInstanceOf(Secret)
  })
  it('empty chain for the kind → clear error, not a crash', async () => {
    const mgr = new ConfigManager({ parameters: [memory({ DB_PASSWORD: 'x' })] })
    const e = await mgr.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
  })
  it.each([[''], [undefined], [null], [12], [{}], [['a']]])(
    'get(%j) rejects with ValidationError and manager keeps working',
    async (k) => {
      const mgr = new ConfigManager({ parameters: [memory({ DB_HOST: 'h' })] })
      await expect(mgr.get(k as never)).rejects.toBeInstanceOf(ValidationError)
      await expect(mgr.getSecret(k as never)).rejects.toBeInstanceOf(ValidationError)
      await expect(mgr.getParameter(k as never)).rejects.toBeInstanceOf(ValidationError)
      await expect(mgr.getWithMetadata(k as never)).rejects.toBeInstanceOf(ValidationError)
      expect(await mgr.get('DB_HOST')).toBe('h')
    },
  )
  it('get with a bad key returns a rejected promise, never throws synchronously', () => {
    const mgr = new ConfigManager({ parameters: [memory({})] })
    let p: Promise<unknown> | undefined
    expect(() => {
      p = mgr.get('' as string)
    }).not.toThrow()
    return expect(p).rejects.toBeInstanceOf(ValidationError)
  })
  it('__proto__ / constructor / unicode keys work', async () => {
    const mgr = new ConfigManager({
      parameters: [memory({ ['__proto__']: 'p', constructor: 'c', ключ_хост: 'u', '🔑_name': 'e' })],
    })
    expect(await mgr.get('constructor')).toBe('c')
    expect(await mgr.get('ключ_хост')).toBe('u')
    expect(await mgr.get('🔑_name')).toBe('e')
    expect(await mgr.get('__proto__')).toBe('p')
    expect(await mgr.get('toString', { optional: true })).toBeUndefined()
    expect(await mgr.get('hasOwnProperty', { optional: true })).toBeUndefined()
  })
  it('env provider: prototype keys are not found', async () => {
    const mgr = new ConfigManager({ parameters: [env({ env: { A: '1' } })] })
    expect(await mgr.get('toString', { optional: true })).toBeUndefined()
    expect(await mgr.get('constructor', { optional: true })).toBeUndefined()
    expect(await mgr.get('__proto__', { optional: true })).toBeUndefined()
  })
  it('env: empty string is a value', async () => {
    const mgr = new ConfigManager({ parameters: [env({ env: { EMPTY_HOST: '' } })] })
    expect(await mgr.get('EMPTY_HOST')).toBe('')
  })
  it('env prefix', async () => {
    const mgr = new ConfigManager({
      parameters: [env({ prefix: 'APP_', env: { APP_DB_HOST: 'h', DB_HOST: 'no' } })],
    })
    expect(await mgr.get('DB_HOST')).toBe('h')
  })
  it('explicit provider://key reference reads only that provider', async () => {
    const mgr = new ConfigManager({
      parameters: [memory({ DB_HOST: 'a' }, { name: 'one' }), memory({ DB_HOST: 'b' }, { name: 'two' })],
    })
    expect(await mgr.get('two://DB_HOST')).toBe('b')
    expect(await mgr.get('DB_HOST')).toBe('a')
    await expect(mgr.get('nope://DB_HOST')).rejects.toBeInstanceOf(PolysecretError)
  })
})

describe('contract: getMany', () => {
  it('partial results: values + per-key errors, never throws', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({ DB_PASSWORD: S })],
      parameters: [memory({ DB_HOST: 'h' })],
    })
    const r = await mgr.getMany(['DB_PASSWORD', 'DB_HOST', 'MISSING_HOST', ''])
    expect((r.values.DB_PASSWORD as Secret).reveal()).toBe(S)
    expect(r.values.DB_HOST).toBe('h')
    expect(r.errors.MISSING_HOST).toBeInstanceOf(NotFoundError)
    expect(r.errors['']).toBeInstanceOf(ValidationError)
    expect(Object.keys(r.values).sort()).toEqual(['DB_HOST', 'DB_PASSWORD'])
  })
  it('non-string keys in the array become per-key ValidationErrors; the valid keys still load', async () => {
    const mgr = new ConfigManager({ parameters: [memory({ A_HOST: 'h' })] })
    const r = await mgr.getMany(['A_HOST', 42 as never, null as never])
    expect(r.values).toEqual({ A_HOST: 'h' })
    expect(Object.keys(r.errors).sort()).toEqual(['42', 'null'])
    expect(r.errors['42']).toBeInstanceOf(ValidationError)
    expect(r.errors.null).toBeInstanceOf(ValidationError)
    expect(await mgr.get('A_HOST')).toBe('h')
  })
  it('getMany(non-array) → ValidationError', async () => {
    const mgr = new ConfigManager({ parameters: [memory({})] })
    await expect(mgr.getMany('A' as never)).rejects.toBeInstanceOf(ValidationError)
  })
  it('duplicate keys: one provider call, value present', async () => {
    const st = instrument(memory({ A_HOST: 'h' }))
    const mgr = new ConfigManager({ parameters: [st.provider] })
    const r = await mgr.getMany(['A_HOST', 'A_HOST', 'A_HOST'])
    expect(r.values).toEqual({ A_HOST: 'h' })
    expect(r.errors).toEqual({})
    expect(st.calls.get + st.calls.getMany).toBe(1)
  })
  it('__proto__ key in getMany lands as own property, does not pollute', async () => {
    const mgr = new ConfigManager({ parameters: [memory({ ['__proto__']: 'x', constructor: 'c' })] })
    const r = await mgr.getMany(['__proto__', 'constructor', 'missing_one'])
    expect(Object.hasOwn(r.values, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(r.values, '__proto__')?.value).toBe('x')
    expect(r.values.constructor as unknown).toBe('c')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    expect(Object.getPrototypeOf(r.values)).toBe(Object.prototype)
  })
  it('__proto__ missing key in errors map', async () => {
    const mgr = new ConfigManager({ parameters: [memory({})] })
    const r = await mgr.getMany(['__proto__'])
    expect(Object.hasOwn(r.errors, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(r.errors, '__proto__')?.value).toBeInstanceOf(NotFoundError)
  })
  it('uses native batch when the provider has one', async () => {
    const st = instrument(memory({ A_HOST: '1', B_HOST: '2', C_HOST: '3' }))
    const mgr = new ConfigManager({ parameters: [st.provider] })
    expect(st.provider.capabilities.batch).toBe(true)
    const r = await mgr.getMany(['A_HOST', 'B_HOST', 'C_HOST'])
    expect(r.values).toEqual({ A_HOST: '1', B_HOST: '2', C_HOST: '3' })
    expect(st.calls.getMany).toBe(1)
    expect(st.calls.get).toBe(0)
  })
  it('respects the concurrency limit for non-batch providers', async () => {
    let inFlight = 0
    let peak = 0
    const p: Provider = {
      name: 'slow',
      type: 'custom',
      capabilities: READ_ONLY,
      async get(key) {
        inFlight++
        peak = Math.max(peak, inFlight)
        await new Promise((r) => setTimeout(r, 5))
        inFlight--
        return { value: `v-${key}` }
      },
      async health() {
        return { ok: true }
      },
    }
    const mgr = new ConfigManager({ parameters: [p], concurrency: 3 })
    const keys = Array.from({ length: 20 }, (_, i) => `K${i}_HOST`)
    const r = await mgr.getMany(keys)
    expect(Object.keys(r.values)).toHaveLength(20)
    expect(peak).toBeLessThanOrEqual(3)
    expect(peak).toBeGreaterThan(1)
  })
  it('batch: keys missing from the first provider fall back to the next', async () => {
    const a = instrument(memory({ A_HOST: '1' }, { name: 'a' }))
    const b = instrument(memory({ B_HOST: '2' }, { name: 'b' }))
    const mgr = new ConfigManager({ parameters: [a.provider, b.provider] })
    const r = await mgr.getMany(['A_HOST', 'B_HOST', 'C_HOST'])
    expect(r.values).toEqual({ A_HOST: '1', B_HOST: '2' })
    expect(r.errors.C_HOST).toBeInstanceOf(NotFoundError)
    expect(r.errors.C_HOST!.tried.map((t) => t.provider)).toEqual(['a', 'b'])
  })
  it('batch: a failing native batch falls back per chain (unavailable)', async () => {
    const a = instrument(memory({ A_HOST: '1' }, { name: 'a' }), {
      fault: () => new UnavailableError({ provider: 'a' }),
    })
    const b = memory({ A_HOST: 'from-b' }, { name: 'b' })
    const mgr = new ConfigManager({ parameters: [a.provider, b], retry: false })
    const r = await mgr.getMany(['A_HOST'])
    expect(r.values.A_HOST).toBe('from-b')
  })
  it('batch: access-denied on the first provider stops the chain for those keys', async () => {
    const a = instrument(memory({ A_HOST: '1' }, { name: 'a' }), {
      fault: () => new AccessDeniedError({ provider: 'a' }),
    })
    const b = memory({ A_HOST: 'from-b' }, { name: 'b' })
    const mgr = new ConfigManager({ parameters: [a.provider, b], retry: false })
    const r = await mgr.getMany(['A_HOST'])
    expect(r.values.A_HOST).toBeUndefined()
    expect(r.errors.A_HOST).toBeInstanceOf(AccessDeniedError)
    expect(r.errors.A_HOST!.key).toBe('A_HOST') // per-key error map entries must say which key
  })
  it('getMany emits one access event per key', async () => {
    const events: AccessEvent[] = []
    const mgr = new ConfigManager({
      parameters: [memory({ A_HOST: '1', B_HOST: '2' })],
      onAccess: (e) => events.push(e),
    })
    await mgr.getMany(['A_HOST', 'B_HOST', 'C_HOST'])
    const gets = events.filter((e) => e.operation === 'get')
    expect(gets.map((e) => e.key).sort()).toEqual(['A_HOST', 'B_HOST', 'C_HOST'])
  })
  it('getMany of empty list', async () => {
    const mgr = new ConfigManager({ parameters: [memory({})] })
    expect(await mgr.getMany([])).toEqual({ values: {}, errors: {} })
  })
})

describe('contract: list / getByPrefix', () => {
  it('deduplicated and sorted, first provider wins', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({ APP_TOKEN: 't' }, { name: 's' })],
      parameters: [
        memory({ APP_B_HOST: '1', APP_A_HOST: '2', OTHER: 'x' }, { name: 'p1' }),
        memory({ APP_A_HOST: '3' }, { name: 'p2' }),
      ],
    })
    const l = await mgr.list('APP_')
    expect(l.map((k) => k.key)).toEqual(['APP_A_HOST', 'APP_B_HOST', 'APP_TOKEN'])
    expect(l.find((k) => k.key === 'APP_A_HOST')?.provider).toBe('p1')
    expect(l.find((k) => k.key === 'APP_TOKEN')?.kind).toBe('secret')
    const all = await mgr.list()
    expect(all.map((k) => k.key)).toContain('OTHER')
  })
  it('getByPrefix returns values of listed keys with secrets wrapped', async () => {
    const mgr = new ConfigManager({
      secrets: [memory({ APP_TOKEN: S }, { name: 's' })],
      parameters: [memory({ APP_A_HOST: 'a' }, { name: 'p' })],
    })
    const r = await mgr.getByPrefix('APP_')
    expect(r.values.APP_A_HOST).toBe('a')
    expect(r.values.APP_TOKEN).toBeInstanceOf(Secret)
    expect(JSON.stringify(r)).not.toContain(S)
  })
  it('getByPrefix: a key listed by the secrets chain but named like a parameter is read from the chain that listed it', async () => {
    // A key living only in the secrets store, with a parameter-looking name
    const mgr = new ConfigManager({
      secrets: [memory({ APP_DB_HOST: 'in-secrets' }, { name: 's' })],
      parameters: [memory({}, { name: 'p' })],
    })
    const r = await mgr.getByPrefix('APP_')
    expect(Object.keys(r.errors)).toEqual([])
    // listed by the secrets chain, so read as a secret
    expect((r.values.APP_DB_HOST as Secret).reveal()).toBe('in-secrets')
  })
  it('list with a throwing provider list rejects with a typed error', async () => {
    const st = instrument(memory({ A: '1' }), {
      fault: ({ operation }) =>
        operation === 'list' ? new UnavailableError({ provider: 'memory' }) : undefined,
    })
    const mgr = new ConfigManager({ parameters: [st.provider] })
    await expect(mgr.list()).rejects.toBeInstanceOf(PolysecretError)
  })
  it('list(non-string) → ValidationError', async () => {
    const mgr = new ConfigManager({ parameters: [memory({})] })
    await expect(mgr.list(5 as never)).rejects.toBeInstanceOf(ValidationError)
  })
})

describe('contract: fallback', () => {
  it('falls back on not-found and unavailable, not on access denied', async () => {
    const a = instrument(memory({}, { name: 'a' }), { fault: () => new UnavailableError({ provider: 'a' }) })
    const b = memory({ DB_PASSWORD: 'b' }, { name: 'b' })
    const mgr = new ConfigManager({ secrets: [a.provider, b], retry: false })
    const md = await mgr.getWithMetadata('DB_PASSWORD')
    expect(md.provider).toBe('b')
    expect(md.tried[0]).toMatchObject({ provider: 'a', outcome: expect.any(String) })

    const d = instrument(memory({}, { name: 'd' }), { fault: () => new AccessDeniedError({ provider: 'd' }) })
    const mgr2 = new ConfigManager({
      secrets: [d.provider, memory({ DB_PASSWORD: 'b' }, { name: 'b' })],
      retry: false,
    })
    const e = await mgr2.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(AccessDeniedError)
    expect(e.provider).toBe('d')
  })
  it('an error thrown by the manager carries the key being read even if the provider error lacked it (instrument fault, as in docs/testing.md)', async () => {
    const d = instrument(memory({}, { name: 'd' }), { fault: () => new AccessDeniedError({ provider: 'd' }) })
    const mgr2 = new ConfigManager({
      secrets: [d.provider, memory({ DB_PASSWORD: 'b' }, { name: 'b' })],
      retry: false,
    })
    const e = await mgr2.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(AccessDeniedError)
    expect(e.key).toBe('DB_PASSWORD')
  })
  it('fallback on access-denied when configured', async () => {
    const d = instrument(memory({}, { name: 'd' }), { fault: () => new AccessDeniedError({ provider: 'd' }) })
    const mgr = new ConfigManager({
      secrets: [d.provider, memory({ DB_PASSWORD: 'b' }, { name: 'b' })],
      retry: false,
      fallback: { on: ['access-denied'] },
    })
    expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('b')
  })
  it('fallback predicate', async () => {
    const d = instrument(memory({}, { name: 'd' }), { fault: () => new AccessDeniedError({ provider: 'd' }) })
    const pred = vi.fn(() => true)
    const mgr = new ConfigManager({
      secrets: [d.provider, memory({ DB_PASSWORD: 'b' }, { name: 'b' })],
      retry: false,
      fallback: pred,
    })
    expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('b')
    expect(pred).toHaveBeenCalled()
  })
  it('a provider throwing a plain Error (not typed) is reported as a PolysecretError with scrubbed cause', async () => {
    const bad: Provider = {
      name: 'bad',
      type: 'custom',
      capabilities: READ_ONLY,
      async get() {
        throw new Error(`connect failed password=${S} Bearer abcdefghijklmnopqrstuvwxyz0123456789`)
      },
      async health() {
        return { ok: true }
      },
    }
    const mgr = new ConfigManager({ secrets: [bad], retry: false })
    const e = await mgr.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(e.key).toBe('DB_PASSWORD')
    const seen = inspect(e, { showHidden: true, depth: 10 }) + e.message + String(e.cause?.message)
    expect(seen).not.toContain(S)
    expect(seen).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789')
  })
  it('all providers fail with mixed reasons → one error listing each provider and reason', async () => {
    const a = instrument(memory({}, { name: 'a' }), { fault: () => new UnavailableError({ provider: 'a' }) })
    const b = instrument(memory({}, { name: 'b' }), { fault: () => new ThrottledError({ provider: 'b' }) })
    const c = memory({}, { name: 'c' })
    const mgr = new ConfigManager({ secrets: [a.provider, b.provider, c], retry: false })
    const e = await mgr.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(e).not.toBeInstanceOf(NotFoundError)
    expect(e.tried.map((t: { provider: string }) => t.provider)).toEqual(['a', 'b', 'c'])
    expect(e.message).toMatch(/a/)
    for (const t of e.tried.slice(0, 2)) expect(t.code && t.reason).toBeTruthy()
    expect(e.tried[2].outcome).toBe('not-found')
  })
})

describe('contract: retries', () => {
  it('retries only retryable errors, up to `retries` times', async () => {
    const a = instrument(memory({ DB_PASSWORD: 'x' }), {
      fault: ({ n }) => (n <= 2 ? new UnavailableError({ provider: 'memory' }) : undefined),
    })
    const mgr = new ConfigManager({ secrets: [a.provider], retry: { retries: 2, baseDelay: 1, maxDelay: 2 } })
    expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('x')
    expect(a.calls.get).toBe(3)

    const d = instrument(memory({ DB_PASSWORD: 'x' }), {
      fault: () => new AccessDeniedError({ provider: 'memory' }),
    })
    const mgr2 = new ConfigManager({ secrets: [d.provider], retry: { retries: 5, baseDelay: 1 } })
    await expect(mgr2.get('DB_PASSWORD')).rejects.toBeInstanceOf(AccessDeniedError)
    expect(d.calls.get).toBe(1)
  })
  it('retry: false / 0 disables', async () => {
    for (const retry of [false, 0] as const) {
      const a = instrument(memory({}), { fault: () => new UnavailableError({ provider: 'memory' }) })
      const mgr = new ConfigManager({ secrets: [a.provider], retry })
      await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
      expect(a.calls.get).toBe(1)
    }
  })
  it('full jitter: waits random(0, min(maxDelay, base*2^n)) — random()=0 means no wait', async () => {
    const a = instrument(memory({ DB_PASSWORD: 'x' }), {
      fault: ({ n }) => (n <= 3 ? new UnavailableError({ provider: 'memory' }) : undefined),
    })
    const mgr = new ConfigManager({
      secrets: [a.provider],
      retry: { retries: 3, baseDelay: 10_000, maxDelay: 60_000, random: () => 0 },
    })
    vi.useFakeTimers()
    const started = Date.now()
    const read = mgr.get('DB_PASSWORD')
    await vi.runAllTimersAsync()
    expect(((await read) as Secret).reveal()).toBe('x')
    expect(a.calls.get).toBe(4)
    expect(Date.now() - started).toBe(0) // the fake clock never moved: every wait was 0 ms
    vi.useRealTimers()
  })
  it('backoff caps at maxDelay with fake timers', async () => {
    vi.useFakeTimers()
    const a = instrument(memory({ DB_PASSWORD: 'x' }), {
      fault: ({ n }) => (n <= 2 ? new UnavailableError({ provider: 'memory' }) : undefined),
    })
    const mgr = new ConfigManager({
      secrets: [a.provider],
      retry: {
        retries: 2,
        baseDelay: 1000,
        maxDelay: 1500,
        random: () => 0.999,
        deadline: 60_000,
        attemptTimeout: 60_000,
      },
    })
    const p = mgr.get('DB_PASSWORD')
    let done = false
    p.then(
      () => (done = true),
      () => (done = true),
    )
    await vi.advanceTimersByTimeAsync(990)
    expect(a.calls.get).toBe(1)
    await vi.advanceTimersByTimeAsync(20) // ~999ms: first retry
    expect(a.calls.get).toBe(2)
    await vi.advanceTimersByTimeAsync(1400)
    expect(a.calls.get).toBe(2)
    await vi.advanceTimersByTimeAsync(200) // capped 1500 → ~1499
    expect(a.calls.get).toBe(3)
    await vi.advanceTimersByTimeAsync(10)
    expect(done).toBe(true)
  })
  it('honours retry-after as a floor', async () => {
    vi.useFakeTimers()
    const a = instrument(memory({ DB_PASSWORD: 'x' }), {
      fault: ({ n }) =>
        n === 1 ? new ThrottledError({ provider: 'memory', retryAfterMs: 5000 } as never) : undefined,
    })
    const mgr = new ConfigManager({
      secrets: [a.provider],
      retry: { retries: 2, baseDelay: 1, maxDelay: 10, random: () => 0, deadline: 60_000 },
    })
    const p = mgr.get('DB_PASSWORD')
    await vi.advanceTimersByTimeAsync(4900)
    expect(a.calls.get).toBe(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(a.calls.get).toBe(2)
    await p
  })
  it('per-attempt timeout is retried even when the provider honours the AbortSignal (rejects on abort, like the AWS SDK)', async () => {
    vi.useFakeTimers()
    let aborted = 0
    const hang: Provider = {
      name: 'hang',
      type: 'custom',
      capabilities: READ_ONLY,
      get(_key, opts) {
        return new Promise((_r, rej) => {
          opts?.signal?.addEventListener('abort', () => {
            aborted++
            rej(new Error('aborted'))
          })
        })
      },
      async health() {
        return { ok: true }
      },
    }
    const mgr = new ConfigManager({
      secrets: [hang],
      retry: { retries: 1, attemptTimeout: 100, baseDelay: 1, maxDelay: 1, deadline: 10_000 },
    })
    const p = mgr.get('DB_PASSWORD').catch((e) => e)
    await vi.advanceTimersByTimeAsync(500)
    // the attempt timed out twice (first try + 1 retry); a timeout is retryable per docs
    const e = await p
    expect(e).toBeInstanceOf(UnavailableError)
    expect(aborted).toBe(2)
  })
  it('overall deadline stops retrying', async () => {
    vi.useFakeTimers()
    const a = instrument(memory({}), { fault: () => new UnavailableError({ provider: 'memory' }) })
    const mgr = new ConfigManager({
      secrets: [a.provider],
      retry: {
        retries: 100,
        baseDelay: 100,
        maxDelay: 100,
        random: () => 0.99,
        deadline: 1000,
        attemptTimeout: 5000,
      },
    })
    const p = mgr.get('DB_PASSWORD').catch((e) => e)
    await vi.advanceTimersByTimeAsync(5000)
    const e = await p
    expect(e).toBeInstanceOf(UnavailableError)
    expect(a.calls.get).toBeLessThanOrEqual(12)
  })
  it('a hanging provider respects the deadline even if it ignores the signal', async () => {
    vi.useFakeTimers()
    const hang: Provider = {
      name: 'hang',
      type: 'custom',
      capabilities: READ_ONLY,
      get: () => new Promise(() => {}),
      async health() {
        return { ok: true }
      },
    }
    const mgr = new ConfigManager({
      secrets: [hang, memory({ DB_PASSWORD: 'ok' })],
      retry: { retries: 0, attemptTimeout: 50 },
    })
    const p = mgr.get('DB_PASSWORD')
    await vi.advanceTimersByTimeAsync(100)
    expect(((await p) as Secret).reveal()).toBe('ok')
  })
  it('retries predicate', async () => {
    const a = instrument(memory({}), { fault: () => new UnavailableError({ provider: 'memory' }) })
    const seen: number[] = []
    const mgr = new ConfigManager({
      secrets: [a.provider],
      retry: {
        retries: (n) => {
          seen.push(n)
          return n < 3
        },
        baseDelay: 1,
        maxDelay: 1,
      },
    })
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
    expect(a.calls.get).toBe(3)
  })
})

describe('contract: access events', () => {
  it('carry key, kind, provider, outcome, latency, cache state — never the value', async () => {
    const events: AccessEvent[] = []
    const mgr = new ConfigManager({
      secrets: [memory({ DB_PASSWORD: S }, { name: 'm' })],
      onAccess: (e) => events.push(e),
    })
    await mgr.get('DB_PASSWORD')
    await mgr.get('DB_PASSWORD')
    await mgr.get('NOPE_TOKEN', { optional: true })
    expect(events).toHaveLength(3)
    expect(events[0]).toMatchObject({
      operation: 'get',
      key: 'DB_PASSWORD',
      kind: 'secret',
      provider: 'm',
      outcome: 'miss',
      cache: 'miss',
    })
    expect(typeof events[0]!.latencyMs).toBe('number')
    expect(events[1]).toMatchObject({ key: 'DB_PASSWORD', outcome: 'hit', cache: 'fresh' })
    expect(events[2]).toMatchObject({ key: 'NOPE_TOKEN', outcome: 'not-found' })
    expect(JSON.stringify(events)).not.toContain(S)
    expect(inspect(events, { depth: 10 })).not.toContain(S)
  })
  it('fast-path hits emit events too', async () => {
    const events: AccessEvent[] = []
    const mgr = new ConfigManager({ parameters: [memory({ A_HOST: 'a' })], onAccess: (e) => events.push(e) })
    await mgr.get('A_HOST')
    for (let i = 0; i < 5; i++) await mgr.get('A_HOST')
    expect(events.filter((e) => e.outcome === 'hit')).toHaveLength(5)
  })
  it('single-flight concurrent reads: events per read', async () => {
    const events: AccessEvent[] = []
    const st = instrument(memory({ A_HOST: 'a' }), { latency: 10 })
    const mgr = new ConfigManager({ parameters: [st.provider], onAccess: (e) => events.push(e) })
    await Promise.all(Array.from({ length: 10 }, () => mgr.get('A_HOST')))
    expect(st.calls.get).toBe(1)
    expect(events.filter((e) => e.operation === 'get')).toHaveLength(10)
  })
  it('error events carry errorCode', async () => {
    const events: AccessEvent[] = []
    const st = instrument(memory({}), { fault: () => new AccessDeniedError({ provider: 'memory' }) })
    const mgr = new ConfigManager({ secrets: [st.provider], onAccess: (e) => events.push(e) })
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(AccessDeniedError)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ outcome: 'error', errorCode: 'ACCESS_DENIED', key: 'DB_PASSWORD' })
  })
  it('a throwing listener does not break reads; array of listeners', async () => {
    const seen: string[] = []
    const mgr = new ConfigManager({
      parameters: [memory({ A_HOST: 'a' })],
      onAccess: [
        () => {
          throw new Error('boom')
        },
        (e) => seen.push(e.key),
      ],
    })
    expect(await mgr.get('A_HOST')).toBe('a')
    expect(seen).toEqual(['A_HOST'])
  })
})

describe('contract: health / close', () => {
  it('health per provider, never throws with a throwing provider', async () => {
    const bad: Provider = {
      name: 'bad',
      type: 'custom',
      capabilities: READ_ONLY,
      async get() {
        return undefined
      },
      async health() {
        throw new Error(`db down password=${S}`)
      },
    }
    const syncBad: Provider = {
      name: 'syncbad',
      type: 'custom',
      capabilities: READ_ONLY,
      async get() {
        return undefined
      },
      health() {
        throw new Error('sync throw')
      },
    }
    const mgr = new ConfigManager({ secrets: [bad, syncBad], parameters: [memory({}, { name: 'm' })] })
    const h = await mgr.health()
    expect(h.map((x) => x.provider).sort()).toEqual(['bad', 'm', 'syncbad'])
    const b = h.find((x) => x.provider === 'bad')!
    expect(b.ok).toBe(false)
    expect(b.type).toBe('custom')
    expect(JSON.stringify(h)).not.toContain(S)
    expect(h.find((x) => x.provider === 'syncbad')!.ok).toBe(false)
    expect(h.find((x) => x.provider === 'm')!.ok).toBe(true)
  })
  it('health lists a provider shared by both chains once', async () => {
    const e = env({ env: {} })
    const mgr = new ConfigManager({ secrets: [e], parameters: [e] })
    expect(await mgr.health()).toHaveLength(1)
  })
  it('close() is idempotent and closes providers once per call chain', async () => {
    const close = vi.fn(async () => {})
    const p: Provider = { ...memory({ A_HOST: 'a' }), close }
    const mgr = new ConfigManager({ parameters: [p] })
    await mgr.get('A_HOST')
    await mgr.close()
    await expect(mgr.close()).resolves.toBeUndefined()
    expect(close).toHaveBeenCalled()
  })
  it('close() with a rejecting provider close still resolves', async () => {
    const p: Provider = {
      ...memory({ A_HOST: 'a' }),
      close: async () => {
        throw new Error('close fail')
      },
    }
    const mgr = new ConfigManager({ parameters: [p] })
    await expect(mgr.close()).resolves.toBeUndefined()
  })
  it('await using disposes', async () => {
    const close = vi.fn(async () => {})
    {
      await using mgr = new ConfigManager({ parameters: [{ ...memory({}), close }] })
      void mgr
    }
    expect(close).toHaveBeenCalledTimes(1)
  })
})

describe('contract: constructor bad input', () => {
  it('rejects non-array chains and non-providers with ValidationError', () => {
    expect(() => new ConfigManager({ secrets: {} as never })).toThrow(ValidationError)
    expect(() => new ConfigManager({ secrets: [{}] as never })).toThrow(ValidationError)
    expect(() => new ConfigManager(null as never)).toThrow(ValidationError)
    expect(() => new ConfigManager({ concurrency: 0 })).toThrow(ValidationError)
  })
  it('bad cache/retry options are ValidationErrors', () => {
    expect(() => new ConfigManager({ cache: { ttl: -1 } })).toThrow(ValidationError)
    expect(() => new ConfigManager({ retry: { retries: -1 } })).toThrow(ValidationError)
    expect(() => new ConfigManager({ retry: -3 })).toThrow(ValidationError)
    expect(() => new ConfigManager({ cache: { maxEntries: 0 } })).toThrow(ValidationError)
  })
  it('unknown fallback reason (typo) is a ValidationError, not silently ignored', () => {
    expect(() => new ConfigManager({ fallback: { on: ['bogus' as never] } })).toThrow(ValidationError)
    expect(() => new ConfigManager({ fallback: { on: 'unavailable' as never } })).toThrow(ValidationError)
  })
  it('two different provider types sharing a name → ValidationError', () => {
    expect(
      () => new ConfigManager({ secrets: [memory({}, { name: 'x' })], parameters: [env({ name: 'x' })] }),
    ).toThrow(ValidationError)
  })
})
