/**
 * lru-cache loads with import() on first use, so the first manager of a process is built before it has
 * arrived: its cache must still cache (and evict least-recently-used) during that window and after.
 */
import { describe, expect, it, vi } from 'vitest'
import type * as core from '../src/index.js'

/** Core as a process that has not loaded lru-cache yet sees it. */
async function freshCore() {
  vi.resetModules()
  const c = (await import('../src/index.js')) as typeof core
  // The same module instance core uses (one registry), to see and await the lazy import.
  const lazy = await import('../src/lazy-modules.js')
  return { c, lazy }
}

function countingStore(c: typeof core, values: Record<string, string>) {
  const calls: string[] = []
  const provider: core.Provider = {
    name: 'counting',
    type: 'counting',
    capabilities: c.READ_ONLY,
    async get(key) {
      calls.push(key)
      return values[key] === undefined ? undefined : { value: values[key], version: '1' }
    },
    health: async () => ({ ok: true }),
  }
  return { provider, calls }
}

describe('the cache while lru-cache is still loading', () => {
  it('the first read waits for lru-cache once; it caches and evicts least-recently-used from then on', async () => {
    const { c, lazy } = await freshCore()
    const store = countingStore(c, { A_HOST: 'a', B_HOST: 'b', C_HOST: 'c' })
    const manager = new c.ConfigManager({ parameters: [store.provider], cache: { maxEntries: 2 } })
    expect(lazy.loadedLruCache()).toBeUndefined()
    expect(manager.invalidate('A_HOST')).toBe(0) // the cache answers before lru-cache has arrived
    expect(await manager.get('A_HOST')).toBe('a')
    // The first read waited for lru-cache, so the hot path only ever meets it (bench/core.ts).
    expect(lazy.loadedLruCache()).toBeDefined()
    expect(await manager.get('B_HOST')).toBe('b')
    expect(await manager.get('A_HOST')).toBe('a') // A is now the most recently used
    expect(await manager.get('C_HOST')).toBe('c') // evicts B, the least recently used
    expect(store.calls).toEqual(['A_HOST', 'B_HOST', 'C_HOST'])
    await lazy.loadLruCache()
    expect(lazy.loadedLruCache()).toBeDefined()
    expect(await manager.get('A_HOST')).toBe('a')
    expect(await manager.get('C_HOST')).toBe('c')
    expect(await manager.get('B_HOST')).toBe('b')
    expect(store.calls).toEqual(['A_HOST', 'B_HOST', 'C_HOST', 'B_HOST'])
  })
})
