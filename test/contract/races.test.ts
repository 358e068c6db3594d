import { ConfigManager, type Entry, memory, type Provider, type Secret } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

/** A store whose reads snapshot the value when the call starts and answer later (a slow network read). */
function slowSnapshotStore(initial: Record<string, string>, delayMs: number) {
  const inner = memory(initial, { name: 'slow' })
  const { getMany: _unused, ...rest } = inner
  void _unused
  const p: Provider = {
    ...rest,
    name: 'slow',
    type: 'memory',
    capabilities: { ...inner.capabilities, batch: false },
    async get(key, opts) {
      const snap: Entry | undefined = await inner.get(key, opts)
      await new Promise((r) => setTimeout(r, delayMs))
      return snap
    },
    async health() {
      return { ok: true }
    },
  }
  return { provider: p, inner }
}

describe('contract: races between reads and writes', () => {
  it('a write during an in-flight read: the slow old answer must not be cached over the write', async () => {
    const { provider } = slowSnapshotStore({ DB_PASSWORD: 'old' }, 30)
    const m = new ConfigManager({ secrets: [provider], allowWrites: true })
    const inflight = m.get('DB_PASSWORD')
    await new Promise((r) => setTimeout(r, 5))
    await m.set('DB_PASSWORD', 'new')
    await inflight
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('new')
  })
  it('invalidate during an in-flight read: the slow old answer must not be cached', async () => {
    const { provider, inner } = slowSnapshotStore({ A_HOST: 'old' }, 30)
    const m = new ConfigManager({ parameters: [provider] })
    const inflight = m.get('A_HOST')
    await new Promise((r) => setTimeout(r, 5))
    await inner.set!('A_HOST', 'new')
    m.invalidate('A_HOST')
    await inflight
    expect(await m.get('A_HOST')).toBe('new')
  })
  it('a read started after a write never returns the pre-write value', async () => {
    const { provider } = slowSnapshotStore({ DB_PASSWORD: 'old' }, 30)
    const m = new ConfigManager({ secrets: [provider], allowWrites: true })
    const inflight = m.get('DB_PASSWORD')
    await new Promise((r) => setTimeout(r, 5))
    await m.set('DB_PASSWORD', 'new')
    const after = (await m.get('DB_PASSWORD')) as Secret // started after the write completed
    await inflight
    expect(after.reveal()).toBe('new')
  })
  it('clear() during an in-flight read', async () => {
    const { provider, inner } = slowSnapshotStore({ A_HOST: 'old' }, 30)
    const m = new ConfigManager({ parameters: [provider] })
    const inflight = m.get('A_HOST')
    await new Promise((r) => setTimeout(r, 5))
    await inner.set!('A_HOST', 'new')
    m.clear()
    await inflight
    expect(await m.get('A_HOST')).toBe('new')
  })
})
