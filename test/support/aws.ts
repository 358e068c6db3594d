/**
 * What the cross-package AWS tests share: connection options that point the official SDK at a fake
 * with fake credentials (so it never looks for real ones), and one place that stops whatever a test
 * started, newest first, after each test.
 */
import { afterEach } from 'vitest'

/** Region and fake credentials for the AWS SDK clients of a test; add `endpoint: fake.endpoint`. */
export const FAKE_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
} as const

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
