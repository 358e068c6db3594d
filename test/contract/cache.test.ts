import {
  AccessDeniedError,
  type AccessEvent,
  ConfigManager,
  memory,
  NotFoundError,
  type Secret,
  UnavailableError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => vi.useRealTimers())

function clock(start = 1_000_000) {
  let t = start
  return { now: () => t, tick: (ms: number) => (t += ms) }
}

describe('contract: cache', () => {
  it('fresh hits never touch the provider; ttl expiry refetches', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'a' }))
    // jitter: 0 — this test pins the exact ttl boundary (jitter is covered in refresh-ahead tests).
    const mgr = new ConfigManager({ parameters: [st.provider], cache: { ttl: 1000, jitter: 0, now: c.now } })
    await mgr.get('A_HOST')
    await mgr.get('A_HOST')
    expect(st.calls.get).toBe(1)
    c.tick(999)
    await mgr.get('A_HOST')
    expect(st.calls.get).toBe(1)
    c.tick(2)
    await mgr.get('A_HOST')
    expect(st.calls.get).toBe(2)
  })
  it('maxAge alias', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'a' }))
    const mgr = new ConfigManager({
      parameters: [st.provider],
      cache: { maxAge: 10, staleIfError: 0, now: c.now },
    })
    await mgr.get('A_HOST')
    c.tick(11)
    await mgr.get('A_HOST')
    expect(st.calls.get).toBe(2)
  })
  it('per-entry ttl option', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'a', B_HOST: 'b' }))
    const mgr = new ConfigManager({ parameters: [st.provider], cache: { ttl: 100_000, now: c.now } })
    await mgr.get('A_HOST', { ttl: 10 })
    await mgr.get('B_HOST')
    c.tick(20)
    await mgr.get('A_HOST')
    await mgr.get('B_HOST')
    expect(st.calls.get).toBe(3)
  })
  it('fresh: true bypasses and stores', async () => {
    const store = memory({ A_HOST: 'a' })
    const st = instrument(store)
    const mgr = new ConfigManager({ parameters: [st.provider], allowWrites: true })
    await mgr.get('A_HOST')
    await store.set!('A_HOST', 'b')
    expect(await mgr.get('A_HOST')).toBe('a')
    expect(await mgr.get('A_HOST', { fresh: true })).toBe('b')
    expect(await mgr.get('A_HOST')).toBe('b')
    expect(st.calls.get).toBe(2)
  })
  it('cache: false disables caching', async () => {
    const st = instrument(memory({ A_HOST: 'a' }))
    const mgr = new ConfigManager({ parameters: [st.provider], cache: false })
    await mgr.get('A_HOST')
    await mgr.get('A_HOST')
    expect(st.calls.get).toBe(2)
  })
  it('maxEntries evicts LRU', async () => {
    const st = instrument(memory({ A_HOST: 'a', B_HOST: 'b', C_HOST: 'c' }))
    const mgr = new ConfigManager({ parameters: [st.provider], cache: { maxEntries: 2 } })
    await mgr.get('A_HOST')
    await mgr.get('B_HOST')
    await mgr.get('A_HOST') // A most recent
    await mgr.get('C_HOST') // evicts B
    st.resetCounts()
    await mgr.get('A_HOST')
    await mgr.get('C_HOST')
    expect(st.calls.get).toBe(0)
    await mgr.get('B_HOST')
    expect(st.calls.get).toBe(1)
  })
  it('single-flight: 1000 concurrent cold reads = 1 store call', async () => {
    const st = instrument(memory({ A_HOST: 'a' }), { latency: 5 })
    const mgr = new ConfigManager({ parameters: [st.provider] })
    const out = await Promise.all(Array.from({ length: 1000 }, () => mgr.get('A_HOST')))
    expect(new Set(out)).toEqual(new Set(['a']))
    expect(st.calls.get).toBe(1)
  })
  it('single-flight shares failures too, and the next read retries', async () => {
    const st = instrument(memory({ DB_PASSWORD: 'x' }), {
      latency: 5,
      fault: ({ n }) => (n === 1 ? new AccessDeniedError({ provider: 'memory' }) : undefined),
    })
    const mgr = new ConfigManager({ secrets: [st.provider] })
    const r = await Promise.allSettled(Array.from({ length: 10 }, () => mgr.get('DB_PASSWORD')))
    expect(r.every((x) => x.status === 'rejected')).toBe(true)
    expect(st.calls.get).toBe(1)
    expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('x')
  })
  it('fresh: true during an in-flight read does not return the older in-flight value', async () => {
    const store = memory({ A_HOST: 'old' })
    const st = instrument(store, { latency: 20 })
    const mgr = new ConfigManager({ parameters: [st.provider] })
    const first = mgr.get('A_HOST')
    await new Promise((r) => setTimeout(r, 5))
    await store.set!('A_HOST', 'new')
    const fresh = await mgr.get('A_HOST', { fresh: true })
    await first
    expect(fresh).toBe('new')
  })
  it('negative caching remembers not-found for negativeTtl', async () => {
    const c = clock()
    const st = instrument(memory({}))
    const mgr = new ConfigManager({ parameters: [st.provider], cache: { negativeTtl: 1000, now: c.now } })
    await expect(mgr.get('A_HOST')).rejects.toBeInstanceOf(NotFoundError)
    await expect(mgr.get('A_HOST')).rejects.toBeInstanceOf(NotFoundError)
    expect(st.calls.get).toBe(1)
    c.tick(1001)
    await expect(mgr.get('A_HOST')).rejects.toBeInstanceOf(NotFoundError)
    expect(st.calls.get).toBe(2)
  })
  it('negative cache, then a write through the manager: next read sees the value', async () => {
    const mgr = new ConfigManager({
      parameters: [memory({})],
      allowWrites: true,
      cache: { negativeTtl: 60_000 },
    })
    expect(await mgr.get('A_HOST', { optional: true })).toBeUndefined()
    await mgr.set('A_HOST', 'now-here')
    expect(await mgr.get('A_HOST')).toBe('now-here')
  })
  it('negative cache then write, with getMany (batched) reads', async () => {
    const mgr = new ConfigManager({
      parameters: [memory({})],
      allowWrites: true,
      cache: { negativeTtl: 60_000 },
    })
    const r1 = await mgr.getMany(['A_HOST'])
    expect(r1.errors.A_HOST).toBeInstanceOf(NotFoundError)
    await mgr.set('A_HOST', 'v')
    const r2 = await mgr.getMany(['A_HOST'])
    expect(r2.values.A_HOST).toBe('v')
  })
  it('negative cache then fresh: true reads again', async () => {
    const store = memory({})
    const mgr = new ConfigManager({ parameters: [store], cache: { negativeTtl: 60_000 } })
    await mgr.get('A_HOST', { optional: true })
    await store.set!('A_HOST', 'v')
    expect(await mgr.get('A_HOST', { fresh: true })).toBe('v')
  })
  it('negative-cache hits emit an access event (not-found, cache fresh) like positive hits do', async () => {
    const events: AccessEvent[] = []
    const mgr = new ConfigManager({ parameters: [memory({})], onAccess: (e) => events.push(e) })
    await mgr.get('A_HOST', { optional: true })
    await mgr.get('A_HOST', { optional: true })
    expect(events.map((e) => e.outcome)).toEqual(['not-found', 'not-found'])
    expect(events[1]!.cache).toBe('fresh')
  })

  it('staleWhileRevalidate serves stale at once and refreshes in background', async () => {
    const c = clock()
    const store = memory({ A_HOST: 'v1' })
    const st = instrument(store)
    const mgr = new ConfigManager({
      parameters: [st.provider],
      cache: { ttl: 100, staleWhileRevalidate: 1000, now: c.now },
    })
    await mgr.get('A_HOST')
    await store.set!('A_HOST', 'v2')
    c.tick(150)
    const md = await mgr.getWithMetadata('A_HOST')
    expect(md.value).toBe('v1')
    expect(md.stale).toBe(true)
    expect(md.cache).toBe('stale')
    await new Promise((r) => setTimeout(r, 5))
    expect(await mgr.get('A_HOST')).toBe('v2')
    expect(st.calls.get).toBe(2)
  })
  it('past ttl + staleWhileRevalidate, a read blocks on the provider', async () => {
    const c = clock()
    const store = memory({ A_HOST: 'v1' })
    const mgr = new ConfigManager({
      parameters: [store],
      cache: { ttl: 100, staleWhileRevalidate: 100, now: c.now },
    })
    await mgr.get('A_HOST')
    await store.set!('A_HOST', 'v2')
    c.tick(250)
    expect(await mgr.get('A_HOST')).toBe('v2')
  })
  it('SWR background refresh is single-flight', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'v1' }), { latency: 10 })
    const mgr = new ConfigManager({
      parameters: [st.provider],
      cache: { ttl: 100, staleWhileRevalidate: 1000, now: c.now },
    })
    await mgr.get('A_HOST')
    c.tick(150)
    await Promise.all(Array.from({ length: 50 }, () => mgr.get('A_HOST')))
    await new Promise((r) => setTimeout(r, 30))
    expect(st.calls.get).toBe(2)
  })
  it('SWR background refresh failure does not reject or crash', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'v1' }))
    const mgr = new ConfigManager({
      parameters: [st.provider],
      retry: false,
      cache: { ttl: 100, staleWhileRevalidate: 1000, now: c.now },
    })
    await mgr.get('A_HOST')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(150)
    expect(await mgr.get('A_HOST')).toBe('v1')
    await new Promise((r) => setTimeout(r, 10))
    expect(await mgr.get('A_HOST')).toBe('v1')
  })

  it('staleIfError: serves last good value when all providers unavailable, within the window', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 100, staleIfError: 1000, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(500)
    const md = await mgr.getWithMetadata('DB_PASSWORD')
    expect((md.value as Secret).reveal()).toBe('good')
    expect(md.stale).toBe(true)
    expect(md.staleReason).toBe('error')
    expect(md.error).toBeInstanceOf(UnavailableError)
  })
  it('staleIfError window bound: ttl + staleIfError', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 100, jitter: 0, staleIfError: 1000, now: c.now }, // exact boundary: no jitter
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(1099)
    expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('good')
    c.tick(2)
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
  })
  it('staleIfError: a successful stale-if-error serve does not extend the window', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 100, staleIfError: 1000, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    for (let i = 0; i < 10; i++) {
      c.tick(100)
      expect(((await mgr.get('DB_PASSWORD')) as Secret).reveal()).toBe('good') // stale, within staleIfError
    }
    c.tick(200) // 1200 since the good read
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
  })
  it('staleIfError does NOT apply to access-denied', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 100, staleIfError: 1000, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new AccessDeniedError({ provider: 'memory' }))
    c.tick(200)
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(AccessDeniedError)
  })
  it('staleIfError does NOT resurrect a value after the key became not-found', async () => {
    const c = clock()
    const store = memory({ DB_PASSWORD: 'good' })
    const mgr = new ConfigManager({
      secrets: [store],
      retry: false,
      cache: { ttl: 100, staleIfError: 1000, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    await store.delete!('DB_PASSWORD')
    c.tick(200)
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(NotFoundError)
  })
  it('staleIfError: 0 disables', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 100, staleIfError: 0, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(101)
    await expect(mgr.get('DB_PASSWORD')).rejects.toBeInstanceOf(UnavailableError)
  })
  it('fresh: true read that fails with staleIfError: 0 throws instead of serving the cached value as stale', async () => {
    const c = clock()
    const st = instrument(memory({ DB_PASSWORD: 'good' }))
    const mgr = new ConfigManager({
      secrets: [st.provider],
      retry: false,
      cache: { ttl: 10_000, staleIfError: 0, now: c.now },
    })
    await mgr.get('DB_PASSWORD')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    await expect(mgr.get('DB_PASSWORD', { fresh: true })).rejects.toBeInstanceOf(UnavailableError)
  })
  it('staleIfError also serves getMany', async () => {
    const c = clock()
    const st = instrument(memory({ A_HOST: 'good' }))
    const mgr = new ConfigManager({
      parameters: [st.provider],
      retry: false,
      cache: { ttl: 100, staleIfError: 1000, now: c.now },
    })
    await mgr.get('A_HOST')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(200)
    const r = await mgr.getMany(['A_HOST'])
    expect(r.values.A_HOST).toBe('good')
  })
  it('stale-if-error event outcome is stale', async () => {
    const c = clock()
    const events: AccessEvent[] = []
    const st = instrument(memory({ A_HOST: 'good' }))
    const mgr = new ConfigManager({
      parameters: [st.provider],
      retry: false,
      onAccess: (e) => events.push(e),
      cache: { ttl: 100, now: c.now },
    })
    await mgr.get('A_HOST')
    st.setFault(() => new UnavailableError({ provider: 'memory' }))
    c.tick(200)
    await mgr.get('A_HOST')
    expect(events.at(-1)).toMatchObject({ outcome: 'stale', cache: 'stale' })
  })

  it('invalidate(key) and invalidate(prefix) return counts', async () => {
    const st = instrument(memory({ APP_A_HOST: '1', APP_B_HOST: '2', OTHER_HOST: '3' }))
    const mgr = new ConfigManager({ parameters: [st.provider] })
    await mgr.getMany(['APP_A_HOST', 'APP_B_HOST', 'OTHER_HOST'])
    expect(mgr.invalidate('APP_')).toBe(2)
    st.resetCounts()
    await mgr.get('OTHER_HOST')
    expect(st.calls.get + st.calls.getMany).toBe(0)
    await mgr.get('APP_A_HOST')
    expect(st.calls.get).toBe(1)
    expect(mgr.invalidate('OTHER_HOST')).toBe(1)
    expect(mgr.invalidate('NOTHING')).toBe(0)
  })
  it('invalidate drops entries of both kinds for the same key', async () => {
    const s = instrument(memory({ X: 's' }, { name: 's' }))
    const p = instrument(memory({ X: 'p' }, { name: 'p' }))
    const mgr = new ConfigManager({ secrets: [s.provider], parameters: [p.provider] })
    await mgr.getSecret('X')
    await mgr.getParameter('X')
    mgr.invalidate('X')
    await mgr.getSecret('X')
    await mgr.getParameter('X')
    expect(s.calls.get).toBe(2)
    expect(p.calls.get).toBe(2)
  })
  it('invalidate also drops negative entries', async () => {
    const store = memory({})
    const mgr = new ConfigManager({ parameters: [store], cache: { negativeTtl: 60_000 } })
    await mgr.get('A_HOST', { optional: true })
    await store.set!('A_HOST', 'v')
    mgr.invalidate('A_HOST')
    expect(await mgr.get('A_HOST')).toBe('v')
  })
  it('invalidate during an in-flight read: the late result must not resurrect the old value', async () => {
    const store = memory({ A_HOST: 'old' })
    const st = instrument(store, { latency: 20 })
    const mgr = new ConfigManager({ parameters: [st.provider] })
    const inflight = mgr.get('A_HOST')
    await new Promise((r) => setTimeout(r, 2))
    // value changes after the provider call started? (memory reads after latency, so it would see 'new')
    mgr.invalidate('A_HOST')
    await inflight
    await store.set!('A_HOST', 'new')
    mgr.invalidate('A_HOST')
    expect(await mgr.get('A_HOST')).toBe('new')
  })
  it('clear() drops everything', async () => {
    const st = instrument(memory({ A_HOST: '1', B_HOST: '2' }))
    const mgr = new ConfigManager({ parameters: [st.provider] })
    await mgr.get('A_HOST')
    await mgr.get('B_HOST')
    mgr.clear()
    await mgr.get('A_HOST')
    await mgr.get('B_HOST')
    expect(st.calls.get).toBe(4)
  })
  it('invalidate(non-string) → ValidationError', () => {
    const mgr = new ConfigManager({})
    expect(() => mgr.invalidate(5 as never)).toThrow()
  })
  it('cached Secret values: each get returns a Secret that reveals the same value and is not mutable', async () => {
    const mgr = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'x' })] })
    const a = (await mgr.get('DB_PASSWORD')) as Secret
    const b = (await mgr.get('DB_PASSWORD')) as Secret
    expect(a.reveal()).toBe('x')
    expect(b.reveal()).toBe('x')
  })
})
