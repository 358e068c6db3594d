/**
 * Virtual time for a manager's cache (`cache: { now, timers }`) and a fake's clock (`now`): nothing
 * moves until a test calls `advance`, which runs every timer due on the way at its own time.
 */
export interface VirtualTime {
  readonly now: () => number
  readonly timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void }
  /** Timers set and not yet run or cleared. */
  pending(): number
  /** Moves time forward by `ms`, running due timers in order, each at its own time. */
  advance(ms: number): void
}

export function virtualTime(start = 1_700_000_000_000): VirtualTime {
  let t = start
  type Timer = { at: number; fn: () => void }
  const queue = new Set<Timer>()
  return {
    now: () => t,
    timers: {
      setTimeout(fn, ms) {
        const timer: Timer = { at: t + Math.max(0, ms), fn }
        queue.add(timer)
        return timer
      },
      clearTimeout(handle) {
        queue.delete(handle as Timer)
      },
    },
    pending: () => queue.size,
    advance(ms) {
      const end = t + ms
      for (;;) {
        let next: Timer | undefined
        for (const timer of queue) if (timer.at <= end && (!next || timer.at < next.at)) next = timer
        if (!next) break
        queue.delete(next)
        t = Math.max(t, next.at)
        next.fn()
      }
      t = end
    },
  }
}
