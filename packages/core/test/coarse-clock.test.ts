import { afterEach, describe, expect, it, vi } from 'vitest'
import { coarseClock, defaultCacheClock } from '../src/coarse-clock.js'
import { ConfigManager, memory } from '../src/index.js'

/** A clock whose reads are counted, and a reset that fires only when the test says so. */
function harness(maxUses?: number) {
  let time = 1_000
  let reads = 0
  const pending: (() => void)[] = []
  const clock = coarseClock(
    () => {
      reads++
      return time
    },
    (forget) => pending.push(forget),
    maxUses,
  )
  return {
    clock,
    reads: () => reads,
    pendingTimers: () => pending.length,
    advance(ms: number) {
      time += ms
    },
    fireTimers() {
      for (const forget of pending.splice(0)) forget()
    },
  }
}

describe('coarse clock (the cache default)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a burst of checks shares one reading and schedules one reset', () => {
    const h = harness()
    for (let i = 0; i < 500; i++) expect(h.clock()).toBe(1_000)
    expect(h.reads()).toBe(1)
    expect(h.pendingTimers()).toBe(1)
  })

  it('reads the clock again once the reset has run', () => {
    const h = harness()
    h.clock()
    h.advance(5)
    expect(h.clock()).toBe(1_000)
    h.fireTimers()
    expect(h.clock()).toBe(1_005)
    expect(h.reads()).toBe(2)
  })

  it('re-reads after maxUses checks even when the reset never runs (a loop that never yields)', () => {
    const h = harness(4)
    h.clock()
    h.advance(7)
    expect([h.clock(), h.clock(), h.clock()]).toEqual([1_000, 1_000, 1_000])
    expect(h.clock()).toBe(1_007)
    expect(h.reads()).toBe(2)
    // The reset scheduled by the first reading is still pending: no second timer.
    expect(h.pendingTimers()).toBe(1)
  })

  it('follows a faked Date.now exactly, at every check', () => {
    vi.useFakeTimers()
    vi.setSystemTime(10_000)
    expect(defaultCacheClock()).toBe(10_000)
    vi.setSystemTime(20_000) // moves Date.now without running any timer
    expect(defaultCacheClock()).toBe(20_000)
  })

  it('a manager with the default clock expires entries under fake time set with setSystemTime', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(0)
    let reads = 0
    const store = memory({ LOG_LEVEL: 'info' })
    const counted = {
      ...store,
      get: (key: string) => {
        reads++
        return store.get(key)
      },
    }
    const manager = new ConfigManager({ parameters: [counted], cache: { ttl: 1_000 } })
    await manager.get('LOG_LEVEL')
    await manager.get('LOG_LEVEL')
    expect(reads).toBe(1)
    vi.setSystemTime(1_001)
    await manager.get('LOG_LEVEL')
    expect(reads).toBe(2)
  })
})
