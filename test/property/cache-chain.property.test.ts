/**
 * Cache and chain invariants under generated histories (model-based, fast-check commands). Two managers
 * share one store, each with its own cache and its own view of one clock; writes go through either
 * manager or straight to the store; time moves; caches are invalidated. Invariant checked after every
 * read: a read never returns a value older than the last write it could see — its own manager's last
 * write, or any write made at least `ttl` ago. Every written value is unique, so "older" is exact.
 */
import { ConfigManager, memory, type Secret } from '@polysecret/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from './runs.js'

const TTL = 1_000
const KEYS = ['APP_MODE', 'DB_PASSWORD'] as const
type Key = (typeof KEYS)[number]

interface Write {
  readonly at: number
  readonly value: string
  readonly by: 'a' | 'b' | 'store'
}

class World {
  now = 0
  counter = 0
  readonly writes = new Map<Key, Write[]>(
    KEYS.map((k) => [k, [{ at: -Infinity, value: `${k}-initial`, by: 'store' }]]),
  )
  readonly store = memory(Object.fromEntries(KEYS.map((k) => [k, `${k}-initial`])))
  readonly managers = {
    a: this.manager(),
    b: this.manager(),
  }

  manager() {
    return new ConfigManager({
      secrets: [this.store],
      parameters: [this.store],
      allowWrites: true,
      cache: { ttl: TTL, now: () => this.now },
    })
  }

  nextValue(key: Key): string {
    return `${key}-v${++this.counter}`
  }

  /** Index in the history of the oldest write a read by `who` at `now` may still return. */
  oldestAllowed(key: Key, who: 'a' | 'b'): number {
    const history = this.writes.get(key)!
    let floor = 0
    history.forEach((w, i) => {
      if (w.by === who || w.at <= this.now - TTL) floor = i
    })
    return floor
  }
}

type Command = fc.AsyncCommand<object, World>

const key = fc.constantFrom(...KEYS)
const who = fc.constantFrom('a' as const, 'b' as const)

const commands = [
  fc.tuple(key, who).map(
    ([k, w]): Command => ({
      check: () => true,
      async run(_, world) {
        const value = world.nextValue(k)
        await world.managers[w].set(k, value)
        world.writes.get(k)!.push({ at: world.now, value, by: w })
      },
      toString: () => `${w}.set(${k})`,
    }),
  ),
  key.map(
    (k): Command => ({
      check: () => true,
      async run(_, world) {
        const value = world.nextValue(k)
        await world.store.set(k, value)
        world.writes.get(k)!.push({ at: world.now, value, by: 'store' })
      },
      toString: () => `store.set(${k})`,
    }),
  ),
  fc.tuple(key, who).map(
    ([k, w]): Command => ({
      check: () => true,
      async run(_, world) {
        const got = await world.managers[w].get(k)
        const value = typeof got === 'string' ? got : (got as Secret).reveal()
        const history = world.writes.get(k)!
        const served = history.findIndex((h) => h.value === value)
        expect(served, `${w}.get(${k}) returned a value never written`).toBeGreaterThanOrEqual(0)
        expect(
          served,
          `${w}.get(${k}) at ${world.now} served an older value than it could see`,
        ).toBeGreaterThanOrEqual(world.oldestAllowed(k, w))
      },
      toString: () => `${w}.get(${k})`,
    }),
  ),
  fc.integer({ min: 1, max: 1_500 }).map(
    (ms): Command => ({
      check: () => true,
      async run(_, world) {
        world.now += ms
      },
      toString: () => `advance(${ms})`,
    }),
  ),
  fc.tuple(key, who).map(
    ([k, w]): Command => ({
      check: () => true,
      async run(_, world) {
        world.managers[w].invalidate(k)
      },
      toString: () => `${w}.invalidate(${k})`,
    }),
  ),
]

describe('cache and chain invariants', () => {
  it('a read never returns a value older than the last write it could see', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
        const world = new World()
        try {
          await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds)
        } finally {
          await Promise.all([world.managers.a.close(), world.managers.b.close()])
        }
      }),
      { numRuns: runs(500) },
    )
  }, 60_000)
})
