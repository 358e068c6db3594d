import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  ConfigManager,
  env,
  memory,
  type Provider,
  type ProviderChange,
  UnavailableError,
} from '../src/index.js'

afterEach(() => vi.useRealTimers())

/**
 * memory() with a push channel: `push(change)` plays the store's change stream. Counts reads so a
 * test can prove a pushed key is never polled.
 */
function pushing(initial: Record<string, string>, opts: { failSubscribe?: boolean } = {}) {
  const store = memory(initial, { name: 'pushy' })
  const listeners = new Set<(change: ProviderChange) => void>()
  const errors = new Set<(error: unknown) => void>()
  let reads = 0
  let closed = 0
  const provider: Provider = {
    ...store,
    name: 'pushy',
    async get(key, o) {
      reads++
      return store.get(key, o)
    },
    async getMany(keys) {
      reads += keys.length
      return store.getMany!(keys)
    },
    async subscribe(onChange, o) {
      if (opts.failSubscribe) throw new UnavailableError({ provider: 'pushy', message: 'stream refused' })
      listeners.add(onChange)
      errors.add(o.onError)
      return {
        close() {
          listeners.delete(onChange)
          closed++
        },
      }
    },
  }
  return {
    provider,
    store,
    reads: () => reads,
    closed: () => closed,
    subscribers: () => listeners.size,
    push: (change: ProviderChange) => {
      for (const l of listeners) l(change)
    },
    fail: (error: unknown) => {
      for (const e of errors) e(error)
    },
  }
}

/** Resolves with the next n listener calls. */
function calls(n: number) {
  const seen: unknown[][] = []
  let resolve!: (v: unknown[][]) => void
  const done = new Promise<unknown[][]>((r) => (resolve = r))
  const listener = (...args: unknown[]) => {
    seen.push(args)
    if (seen.length === n) resolve(seen)
  }
  return { listener, done, seen }
}

describe('watch with a push channel (Provider.subscribe)', () => {
  it('never polls a pushed key; a pushed change is re-read and reported', async () => {
    vi.useFakeTimers()
    const p = pushing({ DB_PASSWORD: 'a', DB_HOST: 'h' })
    const m = new ConfigManager({ secrets: [p.provider] })
    const c = calls(1)
    const w = await m.watch(['DB_PASSWORD', 'DB_HOST'], c.listener, { interval: 1000 })
    expect(p.subscribers()).toBe(1)
    const afterStart = p.reads()
    await vi.advanceTimersByTimeAsync(10_000) // ten poll intervals
    expect(p.reads()).toBe(afterStart)
    await p.store.set!('DB_PASSWORD', 'b')
    p.push({ keys: ['DB_PASSWORD'] })
    expect(await c.done).toEqual([['DB_PASSWORD', '1', '3']])
    expect(p.reads()).toBe(afterStart + 1) // only the key the change named
    w.close()
    expect(p.closed()).toBe(1)
  })

  it('a change naming no keys (a relist) re-reads every key behind the provider, reporting only real changes', async () => {
    const p = pushing({ APP_A: 'a', APP_B: 'b' })
    const m = new ConfigManager({ parameters: [p.provider] })
    const c = calls(1)
    const w = await m.watch(['APP_A', 'APP_B'], c.listener, { interval: 3_600_000 })
    const afterStart = p.reads()
    await p.store.set!('APP_B', 'b2')
    p.push({})
    expect(await c.done).toEqual([['APP_B', '2', '3']])
    expect(p.reads()).toBe(afterStart + 2)
    w.close()
  })

  it('a prefix watch picks up a new key that a push names', async () => {
    const p = pushing({ APP_A: '1' })
    const m = new ConfigManager({ parameters: [p.provider] })
    const c = calls(1)
    const w = await m.watch('APP_', c.listener, { interval: 3_600_000 })
    await p.store.set!('APP_B', '2')
    p.push({ keys: ['APP_B', 'OTHER'] })
    expect(await c.done).toEqual([['APP_B', undefined, '2']])
    expect(w.keys).toEqual(['APP_A', 'APP_B'])
    w.close()
  })

  it('a key with a polled provider in its chain is still polled', async () => {
    vi.useFakeTimers()
    const p = pushing({ DB_PASSWORD: 'a' })
    const polled = memory({ DB_PASSWORD: 'z' }, { name: 'polled' })
    const m = new ConfigManager({ secrets: [p.provider, polled] })
    const w = await m.watch(['DB_PASSWORD'], () => undefined, { interval: 1000 })
    const afterStart = p.reads()
    await vi.advanceTimersByTimeAsync(1200)
    expect(p.reads()).toBe(afterStart + 1)
    w.close()
  })

  it('a provider that cannot change (env) does not stop a key from being pushed', async () => {
    vi.useFakeTimers()
    const p = pushing({ DB_PASSWORD: 'a' })
    const m = new ConfigManager({ secrets: [p.provider, env({ prefix: 'NOPE_' })] })
    const w = await m.watch(['DB_PASSWORD'], () => undefined, { interval: 1000 })
    const afterStart = p.reads()
    await vi.advanceTimersByTimeAsync(5000)
    expect(p.reads()).toBe(afterStart)
    w.close()
  })

  it('a failed subscribe falls back to polling and is reported', async () => {
    vi.useFakeTimers()
    const p = pushing({ DB_PASSWORD: 'a' }, { failSubscribe: true })
    const m = new ConfigManager({ secrets: [p.provider] })
    const errors: unknown[] = []
    const c = calls(1)
    const w = await m.watch(['DB_PASSWORD'], c.listener, { interval: 1000, onError: (e) => errors.push(e) })
    expect(errors).toEqual([expect.any(UnavailableError)])
    await p.store.set!('DB_PASSWORD', 'b')
    await vi.advanceTimersByTimeAsync(1200)
    expect(await c.done).toEqual([['DB_PASSWORD', '1', '2']])
    w.close()
  })

  it('channel errors reach onError; nothing is reported after close', async () => {
    const p = pushing({ DB_PASSWORD: 'a' })
    const m = new ConfigManager({ secrets: [p.provider] })
    const errors: unknown[] = []
    const seen: unknown[] = []
    const w = await m.watch(['DB_PASSWORD'], (...a) => seen.push(a), {
      interval: 3_600_000,
      onError: (e) => errors.push(e),
    })
    p.fail(new UnavailableError({ provider: 'pushy', message: 'stream lost' }))
    expect(errors).toHaveLength(1)
    w.close()
    p.fail(new UnavailableError({ provider: 'pushy', message: 'late' }))
    expect(errors).toHaveLength(1)
    expect(p.subscribers()).toBe(0)
    expect(seen).toEqual([])
  })

  it('load(schema, { watch: true }) follows a pushed change without polling', async () => {
    const p = pushing({ APP_PORT: '80' })
    const m = new ConfigManager({ parameters: [p.provider] })
    const live = await m.load(z.object({ APP_PORT: z.coerce.number() }), { watch: true, interval: 3_600_000 })
    const changed = new Promise((resolve) => live.onChange(resolve))
    await p.store.set!('APP_PORT', '8080')
    p.push({ keys: ['APP_PORT'] })
    await changed
    expect(live.current.APP_PORT).toBe(8080)
    live.close()
  })
})
