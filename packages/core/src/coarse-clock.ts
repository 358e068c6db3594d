/**
 * The cache's default clock: `Date.now()`, read at most about once per millisecond.
 *
 * Why: a clock read costs more than the rest of a cached `get()` (≈ 70 ns on a shared VM, against
 * ≈ 30 ns for the LRU lookup), and a burst of cached reads in one millisecond would all read the same
 * time anyway. lru-cache's own TTL check does the same (its `ttlResolution`, 1 ms by default).
 *
 * How a reading is dropped, so time is never seen standing still for long:
 * - by a 1 ms timer. Node runs due timers at the start of every event-loop turn, before that turn's
 *   I/O callbacks, so a request (or a Lambda invocation after a freeze) that starts a millisecond or
 *   more after the last reading never sees it;
 * - after `maxUses` uses, so a loop of cached reads that never yields to the event loop (and so never
 *   runs the timer) still re-reads the clock every thousand reads or so.
 */
export function coarseClock(
  read: () => number,
  scheduleForget: (forget: () => void) => void,
  maxUses = 1024,
): () => number {
  let reading = 0
  let valid = false
  let uses = 0
  let timerPending = false
  const forget = () => {
    valid = false
    timerPending = false
  }
  return () => {
    if (valid && ++uses < maxUses) return reading
    reading = read()
    valid = true
    uses = 0
    if (!timerPending) {
      timerPending = true
      scheduleForget(forget)
    }
    return reading
  }
}

// Captured when core loads: fake timers installed later (tests) cannot swallow the 1 ms reset.
const realSetTimeout = setTimeout
const coarseDateNow = coarseClock(
  () => Date.now(),
  (forget) => realSetTimeout(forget, 1).unref?.(), // unref: a pending reset never keeps a process alive
)
let seenDateNow: (() => number) | undefined
let dateNowIsNative = false

/**
 * The default cache clock: the real `Date.now`, read coarsely; a replaced `Date.now` (fake timers in
 * tests, which also move time with `setSystemTime`) is called on every check, so fake time is exact.
 * An injected `cache.now` is likewise called on every check.
 */
export function defaultCacheClock(): number {
  const now = Date.now
  if (now !== seenDateNow) {
    seenDateNow = now
    dateNowIsNative = /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(now))
  }
  return dateNowIsNative ? coarseDateNow() : now()
}
