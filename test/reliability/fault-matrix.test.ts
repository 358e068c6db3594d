/**
 * The fault matrix: every provider, through the manager, against its wire fake under every fault —
 * latency, 5xx, throttling with Retry-After, connection resets, hangs, truncated and malformed answers,
 * and an outage the store comes back from. Per cell it counts reads served, wrong values (must be 0),
 * stale serves, failures (each must be a typed error), retries (requests beyond the fault-free run of
 * the same reads), p99 latency, and heap after the run. `RELIABILITY_REPORT=1` (pnpm reliability)
 * writes the table into docs/reliability.md and bench/results/reliability.json.
 */
import { ConfigManager, isPolysecretError } from '@polysecret/core'
import type { Faults } from '@polysecret/testing'
import { afterAll, describe, it } from 'vitest'
import { type CellResult, writeReport } from './report.js'
import { expectedValue, KEY_COUNT, keyOf, TARGETS } from './targets.js'

const ROUNDS = 3
const RATE = 0.3

/** Each fault, as set on a fake before the rounds; `round` runs before each round (the outage). */
const FAULTS: Record<string, { set?(f: Faults): void; round?(f: Faults, round: number): Promise<void> }> = {
  none: {},
  latency: { set: (f) => f.latency({ min: 5, max: 40 }) },
  '5xx': { set: (f) => f.errorRate(RATE, { status: 503 }) },
  'throttle + Retry-After': { set: (f) => f.throttle(RATE, { retryAfterMs: 20 }) },
  'connection reset': { set: (f) => f.reset(RATE) },
  hang: { set: (f) => f.hang(RATE) },
  truncated: { set: (f) => f.truncate(RATE) },
  malformed: { set: (f) => f.malform(RATE) },
  'outage, then back': { round: async (f, round) => (round === 0 ? f.down('refuse') : f.up()) },
}

const results: CellResult[] = []
afterAll(async () => {
  const order = Object.keys(TARGETS)
  const sorted = [...results].sort((a, b) => order.indexOf(a.store) - order.indexOf(b.store))
  if (process.env.RELIABILITY_REPORT === '1')
    await writeReport(sorted, { faultRate: RATE, rounds: ROUNDS, keys: KEY_COUNT })
})

/** Real time until a read is served fresh again after the store came back; undefined after 10 s. */
async function timeToFresh(manager: ConfigManager, pastTtl: () => void): Promise<number | undefined> {
  const started = performance.now()
  while (performance.now() - started < 10_000) {
    pastTtl()
    const read = await manager.getWithMetadata(keyOf(0)).catch(() => undefined)
    if (read && !read.stale) return Math.round(performance.now() - started)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return undefined
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0
}

// The stores run side by side (each has its own fake): most of a cell's time is waiting on latency,
// hangs and backoff, not CPU.
describe('every store under every fault', () => {
  it.concurrent.for(Object.keys(TARGETS))(
    '%s: only correct values, stale when it must, only typed errors',
    { timeout: 120_000 },
    async (store, { expect }) => {
      const target = await TARGETS[store]!()
      let baseline = 0
      try {
        // Load the SDK once without a deadline: a first import of a cloud SDK on a busy machine can take
        // longer than the cells' attempt timeout, which is about the store, not about module loading.
        const first = target.provider()
        await first.get(keyOf(0))
        await first.close?.()
        for (const [fault, how] of Object.entries(FAULTS)) {
          let now = 0
          const manager = new ConfigManager({
            secrets: [target.provider()],
            retry: { retries: 4, baseDelay: 1, maxDelay: 10, attemptTimeout: 1_000, deadline: 3_000 },
            cache: { ttl: 1_000, staleIfError: 600_000, now: () => now },
          })
          for (let i = 0; i < KEY_COUNT; i++) await manager.get(keyOf(i)) // warm, fault-free
          const before = target.requests.total
          how.set?.(target.faults)
          const cell: CellResult = {
            store,
            fault,
            reads: 0,
            served: 0,
            wrong: 0,
            stale: 0,
            failed: 0,
            untyped: 0,
            retries: 0,
            p99Ms: 0,
            heapMb: 0,
          }
          const latencies: number[] = []
          for (let round = 0; round < ROUNDS; round++) {
            await how.round?.(target.faults, round)
            now += 1_001 // past the ttl: every read goes to the store
            for (let i = 0; i < KEY_COUNT; i++) {
              cell.reads++
              const started = performance.now()
              try {
                const read = await manager.getWithMetadata(keyOf(i))
                const value = typeof read.value === 'string' ? read.value : read.value.reveal()
                cell.served++
                if (value !== expectedValue(i)) cell.wrong++
                if (read.stale) cell.stale++
              } catch (error) {
                cell.failed++
                if (!isPolysecretError(error)) cell.untyped++
              }
              latencies.push(performance.now() - started)
            }
          }
          target.faults.clear()
          await target.faults.up()
          if (fault === 'outage, then back')
            cell.recoveredMs = await timeToFresh(manager, () => (now += 1_001))
          const requests = target.requests.total - before
          if (fault === 'none') baseline = requests
          cell.retries = Math.max(0, requests - baseline)
          cell.p99Ms = Math.round(p99(latencies))
          await manager.close()
          cell.heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
          results.push(cell)

          expect(cell.wrong, `${store} / ${fault}: wrong values`).toBe(0)
          expect(cell.untyped, `${store} / ${fault}: untyped errors`).toBe(0)
          // Every read is answered: fresh, or the last good value marked stale while the store fails.
          expect(cell.served, `${store} / ${fault}: reads served`).toBe(cell.reads)
          if (fault === 'none' || fault === 'latency') expect(cell.stale, `${store} / ${fault}`).toBe(0)
          if (fault === 'outage, then back') {
            // The whole outage round is stale; a client may need a moment to reconnect (gRPC backs off).
            expect(cell.stale, `${store}: the outage round is stale`).toBeGreaterThanOrEqual(KEY_COUNT)
            expect(cell.recoveredMs, `${store}: fresh values once the store is back`).toBeDefined()
          }
        }
      } finally {
        await target.stop()
      }
    },
  )
})
