/** One place that stops whatever a cross-package test started, newest first, after each test. */
import { afterEach } from 'vitest'

/** Returns `defer(stop)`: each deferred stop runs after the current test, newest first. */
export function stopAfterEach(): (stop: () => Promise<void> | void) => void {
  const stops: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    while (stops.length) await stops.pop()!()
  })
  return (stop) => {
    stops.push(stop)
  }
}
