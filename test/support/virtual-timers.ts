/**
 * Virtual time for the manager's `timers` option: nothing fires until the test advances the clock,
 * so waits of seconds (a store's retry-after, a rate limit) run instantly and exactly.
 */
import type { Timers } from '@polysecret/core'

export interface VirtualTimers extends Timers {
  /** Moves the clock forward, firing due timers in order (letting promises settle between them). */
  advance(ms: number): Promise<void>
  /** Timers waiting to fire. */
  readonly pending: number
}

export function virtualTimers(start = 1_000_000): VirtualTimers {
  let now = start
  let nextId = 0
  const timers = new Map<number, { at: number; callback: () => void }>()
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++nextId
      timers.set(id, { at: now + Math.max(0, ms), callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    get pending() {
      return timers.size
    },
    async advance(ms) {
      const until = now + ms
      await settle()
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | undefined
        for (const entry of timers)
          if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry
        if (!next) break
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].callback()
        await settle()
      }
      now = until
      await settle()
    },
  }
}
