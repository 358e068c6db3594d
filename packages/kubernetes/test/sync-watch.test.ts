import { describe, expect, it, vi } from 'vitest'
import type { NamespaceSyncResult } from '../src/index.js'
import { cluster, holders, source, stored, syncFor } from './sync-support.js'

/** Waits for passes until one satisfies `done` (each pass is an event, not a timer). */
async function until(
  running: { nextPass(): Promise<NamespaceSyncResult> },
  done: () => boolean,
  passes = 20,
): Promise<void> {
  for (let i = 0; i < passes && !done(); i++) await running.nextPass()
  expect(done()).toBe(true)
}

describe('namespaceSync: continuous', () => {
  it('follows namespaces as they appear, are relabelled and go; and the source keys as they change', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    const manager = source({ DB_PASSWORD: 'one' })
    let clock = 1_000_000
    const { target, audit } = syncFor(fake, {
      name: 'db',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      secrets: [{ name: 'db', data: { password: 'DB_PASSWORD' } }],
      sourceInterval: 20,
      now: () => clock,
    })
    const running = await manager.sync(target, { watch: true })
    expect(running.lastResult.namespaces).toEqual(['a'])
    expect(holders(fake, 'db')).toEqual(['a'])
    expect(fake.openWatches).toBe(1)

    // A new namespace gets its copy from a pass scoped to it.
    fake.requests.reset()
    fake.seed({ namespaces: [{ name: 'b', labels: { sync: 'on' } }] })
    await until(running, () => holders(fake, 'db').includes('b'))
    expect(fake.requests.count('list namespaces')).toBe(0) // known from the watch
    expect(fake.requests.count('list secrets')).toBe(1) // only namespace b's

    // Relabelled out of the selector: its copy goes.
    fake.seed({ namespaces: [{ name: 'a', labels: { sync: 'off' } }] })
    await until(running, () => !holders(fake, 'db').includes('a'))
    expect(holders(fake, 'db')).toEqual(['b'])

    // A source change reaches every copy; the lag is measured on the injected clock.
    clock += 5
    await manager.set('DB_PASSWORD', 'two')
    clock += 40
    await until(running, () => stored(fake, 'b', 'db')?.data.password === 'two')
    const stats = running.stats()
    expect(stats.propagationLagMs.count).toBeGreaterThanOrEqual(1)
    expect(stats.propagationLagMs.last).toBeLessThanOrEqual(40)
    expect(stats.writes).toMatchObject({ create: 2, update: 1, delete: 1 })
    expect(stats.namespaceLagMs.count).toBeGreaterThanOrEqual(1)
    expect(audit.map((e) => `${e.action} ${e.namespace}`)).toEqual([
      'create a',
      'create b',
      'delete a',
      'update b',
    ])

    await manager.close() // closes the running sync with the manager
    // The server sees the aborted stream's socket close a moment later.
    await vi.waitFor(() => expect(fake.openWatches).toBe(0))
  })

  it('a namespace the policy denies is refused on its own; the others keep syncing', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    const manager = source({ DB_PASSWORD: 'x' })
    const errors: string[] = []
    const { target, audit } = syncFor(fake, {
      name: 'db',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      policy: { deny: ['kube-*', 'restricted-*'] },
      secrets: [{ name: 'db', data: { password: 'DB_PASSWORD' } }],
      onError: (e) => errors.push(e.code),
    })
    const running = await manager.sync(target, { watch: true })
    fake.seed({
      namespaces: [
        { name: 'restricted-x', labels: { sync: 'on' } },
        { name: 'c', labels: { sync: 'on' } },
      ],
    })
    await until(running, () => holders(fake, 'db').includes('c'))
    expect(holders(fake, 'db')).toEqual(['a', 'c'])
    expect(audit.filter((e) => e.outcome === 'denied').map((e) => e.namespace)).toContain('restricted-x')
    expect(running.stats().denied).toBeGreaterThanOrEqual(1)
    await running.close()
  })

  it('refuses to start when the first pass breaks the policy, leaving no watch open', async () => {
    const fake = await cluster({ a: {} })
    const manager = source({ K: 'v' })
    const { target } = syncFor(fake, {
      name: 'all',
      namespaceSelector: {},
      secrets: [{ name: 'k', data: { k: 'K' } }],
    })
    await expect(manager.sync(target, { watch: true })).rejects.toThrow(/distribution policy/)
    await vi.waitFor(() => expect(fake.openWatches).toBe(0))
    await expect(manager.sync(target, { watch: true, dryRun: true })).rejects.toThrow(/cannot be combined/)
  })
})
