import { ConfigManager, type Entry, memory, type Provider, type Secret } from '@polysecret/core'
import { describe, expect, it } from 'vitest'

/**
 * A store whose reads snapshot the value when the call starts and answer only when the test lets them
 * (a slow network read): `snapshotTaken()` resolves once a read has its snapshot, `answer()` lets every
 * held read return. No timing is involved, so the race happens on every run.
 */
function slowSnapshotStore(initial: Record<string, string>) {
  const inner = memory(initial, { name: 'slow' })
  const { getMany: _unused, ...rest } = inner
  void _unused
  let taken!: () => void
  const snapshot = new Promise<void>((resolve) => {
    taken = resolve
  })
  let answer!: () => void
  const answered = new Promise<void>((resolve) => {
    answer = resolve
  })
  let held = true
  const p: Provider = {
    ...rest,
    name: 'slow',
    type: 'memory',
    capabilities: { ...inner.capabilities, batch: false },
    async get(key, opts) {
      const snap: Entry | undefined = await inner.get(key, opts)
      if (held) {
        taken()
        await answered
      }
      return snap
    },
    async health() {
      return { ok: true }
    },
  }
  return {
    provider: p,
    inner,
    snapshotTaken: () => snapshot,
    answer: () => {
      held = false
      answer()
    },
  }
}

describe('contract: races between reads and writes', () => {
  it('a write during an in-flight read: the slow old answer must not be cached over the write', async () => {
    const { provider, snapshotTaken, answer } = slowSnapshotStore({ DB_PASSWORD: 'old' })
    const m = new ConfigManager({ secrets: [provider], allowWrites: true })
    const inflight = m.get('DB_PASSWORD')
    await snapshotTaken()
    await m.set('DB_PASSWORD', 'new')
    answer()
    expect(((await inflight) as Secret).reveal()).toBe('old') // the read that started first
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('new')
  })
  it('invalidate during an in-flight read: the slow old answer must not be cached', async () => {
    const { provider, inner, snapshotTaken, answer } = slowSnapshotStore({ A_HOST: 'old' })
    const m = new ConfigManager({ parameters: [provider] })
    const inflight = m.get('A_HOST')
    await snapshotTaken()
    await inner.set!('A_HOST', 'new')
    m.invalidate('A_HOST')
    answer()
    expect(await inflight).toBe('old')
    expect(await m.get('A_HOST')).toBe('new')
  })
  it('a read started after a write never returns the pre-write value', async () => {
    const { provider, snapshotTaken, answer } = slowSnapshotStore({ DB_PASSWORD: 'old' })
    const m = new ConfigManager({ secrets: [provider], allowWrites: true })
    const inflight = m.get('DB_PASSWORD')
    await snapshotTaken()
    await m.set('DB_PASSWORD', 'new')
    answer() // reads from now on answer at once
    const after = (await m.get('DB_PASSWORD')) as Secret // started after the write completed
    await inflight
    expect(after.reveal()).toBe('new')
  })
  it('clear() during an in-flight read', async () => {
    const { provider, inner, snapshotTaken, answer } = slowSnapshotStore({ A_HOST: 'old' })
    const m = new ConfigManager({ parameters: [provider] })
    const inflight = m.get('A_HOST')
    await snapshotTaken()
    await inner.set!('A_HOST', 'new')
    m.clear()
    answer()
    expect(await inflight).toBe('old')
    expect(await m.get('A_HOST')).toBe('new')
  })
})
