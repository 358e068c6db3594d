import { describe, expect, it, vi } from 'vitest'
import { ConfigManager, memory, type Provider } from '../src/index.js'

/** A memory store with a change token the test moves by hand, counting reads. */
function tokened(values: Record<string, string>) {
  const store = memory(values, { name: 'tokened' })
  let token = 't1'
  const reads: string[] = []
  let asks = 0
  const provider: Provider = {
    ...store,
    name: 'tokened',
    capabilities: { ...store.capabilities, watch: true },
    get: (key, opts) => {
      reads.push(key)
      return store.get(key, opts)
    },
    changeToken: async () => {
      asks++
      return token
    },
  }
  return {
    provider,
    store,
    reads,
    asks: () => asks,
    move: (next: string) => {
      token = next
    },
  }
}

describe('watch with a provider change token', () => {
  it('asks the token once per poll and re-reads keys only when it moves', async () => {
    const t = tokened({ A: '1', B: '1' })
    const manager = new ConfigManager({ parameters: [t.provider] })
    const changes: string[] = []
    const watcher = await manager.watch(['A', 'B'], (key) => changes.push(key), { interval: 5 })
    const readsAtStart = t.reads.length
    await vi.waitFor(() => expect(t.asks()).toBeGreaterThan(4), { timeout: 5000 })
    expect(t.reads.length).toBe(readsAtStart)
    await t.store.set!('A', '2')
    t.move('t2')
    await vi.waitFor(() => expect(changes).toEqual(['A']), { timeout: 5000 })
    expect(t.reads.length).toBeGreaterThan(readsAtStart)
    watcher.close()
    await manager.close()
  })

  it('a failing or undefined token falls back to re-reading the keys and reports the failure', async () => {
    const t = tokened({ A: '1' })
    let fail = true
    const provider: Provider = {
      ...t.provider,
      changeToken: async () => {
        if (fail) throw new Error('token endpoint down')
        return undefined
      },
    }
    const errors: unknown[] = []
    const manager = new ConfigManager({ parameters: [provider] })
    const watcher = await manager.watch(['A'], () => undefined, {
      interval: 5,
      onError: (e) => errors.push(e),
    })
    const start = t.reads.length
    await vi.waitFor(() => expect(t.reads.length).toBeGreaterThan(start + 2), { timeout: 5000 })
    expect(errors.length).toBeGreaterThan(0)
    fail = false
    const now = t.reads.length
    await vi.waitFor(() => expect(t.reads.length).toBeGreaterThan(now + 2), { timeout: 5000 })
    watcher.close()
    await manager.close()
  })
})
