/**
 * A live config's listeners stay silent once the manager is closed — also when a reload was already
 * running at the time (issue 8 §4).
 */
import { ConfigManager, memory, type Provider } from '@polysecret/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

afterEach(() => vi.useRealTimers())

/**
 * A memory store whose reads can be held at a gate: `holdRead(n)` holds the n-th read from now on and
 * resolves `reached` when it arrives, so a test can act while that read is in flight.
 */
function gatedStore(initial: Record<string, string>) {
  const inner = memory(initial, { name: 'gated' })
  let countdown = 0
  let release: () => void = () => {}
  let arrived: () => void = () => {}
  const provider: Provider = {
    ...inner,
    async get(key, opts) {
      if (countdown > 0 && --countdown === 0) {
        arrived()
        await new Promise<void>((resolve) => {
          release = resolve
        })
      }
      return inner.get(key, opts)
    },
  }
  return {
    provider,
    inner,
    holdRead(n: number): Promise<void> {
      countdown = n
      return new Promise((resolve) => {
        arrived = resolve
      })
    },
    release: () => release(),
  }
}

async function liveSetup() {
  vi.useFakeTimers()
  const store = gatedStore({ FEATURE_MODE: 'a' })
  const manager = new ConfigManager({ parameters: [store.provider] })
  const live = await manager.load(z.object({ FEATURE_MODE: z.string() }), { watch: true, interval: 1000 })
  const changes: string[] = []
  const errors: unknown[] = []
  live.onChange((next) => changes.push(next.FEATURE_MODE))
  live.onError((error) => errors.push(error))
  await store.inner.set!('FEATURE_MODE', 'b')
  // read 1 is the watcher's poll that sees the new version; read 2 is the live config's reload
  const reloadRunning = store.holdRead(2)
  await vi.advanceTimersByTimeAsync(1100)
  await reloadRunning
  return { store, manager, live, changes, errors }
}

describe('live config after close', () => {
  it('a reload that finishes normally swaps the config in and tells onChange (control)', async () => {
    const { store, live, changes } = await liveSetup()
    store.release()
    await vi.advanceTimersByTimeAsync(0)
    expect(changes).toEqual(['b'])
    expect(live.FEATURE_MODE).toBe('b')
    live.close()
  })

  it('manager.close() during a running reload: onChange never fires, the last config stays', async () => {
    const { store, manager, live, changes, errors } = await liveSetup()
    await manager.close()
    store.release()
    await vi.advanceTimersByTimeAsync(5000)
    expect(changes).toEqual([])
    expect(errors).toEqual([])
    expect(live.FEATURE_MODE).toBe('a')
  })

  it('live.close() during a running reload: the same', async () => {
    const { store, live, changes } = await liveSetup()
    live.close()
    store.release()
    await vi.advanceTimersByTimeAsync(5000)
    expect(changes).toEqual([])
    expect(live.FEATURE_MODE).toBe('a')
  })
})
