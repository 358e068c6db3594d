/**
 * One run of the fleet simulation (see fleet.ts): N replicas, each a real `ConfigManager` with its own
 * `secretsManager()` provider, reading K secrets from the Secrets Manager fake in another process.
 *
 * Time is virtual: @sinonjs/fake-timers replaces `Date` and the timers of this process (the cache's
 * clock, refresh-ahead, core's retry backoff, the app's own schedule) and the fake's clock is set to
 * the same time before every step. Time stands still while requests are in flight and jumps to the
 * next timer when the fleet is idle, so the fake's quotas (token buckets in its clock) see the rates
 * a real fleet would send, and a store answer costs no virtual time (loopback stands in for a store
 * that answers instantly). Read latency is therefore the time a caller waits on backoff and retries.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { secretsManager } from '@polysecret/aws'
import { ConfigManager, type ConfigManagerOptions, PolysecretError, type Secret } from '@polysecret/core'
import FakeTimers from '@sinonjs/fake-timers'
import type { FakeProcess } from './fake-process.js'

export interface FleetScenario {
  readonly replicas: number
  readonly secrets: number
  readonly ttlMs: number
  /** Every replica starts within this window after t = 0 (the deploy). */
  readonly deployWindowMs: number
  readonly durationMs: number
  /** Each replica reads all of its secrets this often (its requests use them). */
  readonly readEveryMs: number
  /** Each secret gets a new version this often (rotation), spread over the secrets. */
  readonly rotateEveryMs: number
  readonly start: number
}

export type FleetMode = 'naive' | 'polysecret'

export interface FleetRun {
  readonly reads: number
  readonly readErrors: Record<string, number>
  readonly latencyMs: { p50: number; p99: number; max: number }
  readonly stalenessMs: { p50: number; p99: number; max: number; staleReads: number }
}

/** Seeded uniform random in [0, 1) (mulberry32), so both modes see the same fleet. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

/** A growable list of numbers (millions of samples without millions of boxed numbers). */
class Samples {
  #data = new Float64Array(1 << 16)
  length = 0
  push(v: number) {
    if (this.length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2)
      next.set(this.#data)
      this.#data = next
    }
    this.#data[this.length++] = v
  }
  sorted(): Float64Array {
    return this.#data.slice(0, this.length).sort()
  }
}

/** The manager options of each mode: naive per-key reads with a plain ttl, or polysecret's fleet settings. */
function managerOptions(mode: FleetMode, s: FleetScenario, client: SecretsManagerClient, i: number) {
  if (mode === 'naive') {
    return {
      secrets: [secretsManager({ client, name: 'aws-sm', batch: false })],
      cache: { ttl: s.ttlMs, jitter: 0, staleIfError: 0 },
    } satisfies ConfigManagerOptions
  }
  return {
    secrets: [secretsManager({ client, name: 'aws-sm' })],
    cache: {
      ttl: s.ttlMs,
      // 0.2 spreads one refresh wave over a fifth of the ttl (a minute at 5 min).
      jitter: 0.2,
      refreshAhead: s.ttlMs / 20,
      random: seededRandom(1_000 + i),
    },
    // Patient retries with full jitter: a throttled deploy spreads out instead of failing callers.
    retry: {
      retries: 8,
      baseDelay: 500,
      maxDelay: 30_000,
      deadline: 120_000,
      random: seededRandom(2_000 + i),
    },
    // Each replica's share of BatchGetSecretValue's 100 calls/s. A staggered bucket starts part-full,
    // so replicas started together spread their first calls over 1/rate seconds.
    limits: { 'aws-sm': { rate: 100 / s.replicas, burst: 1, concurrency: 1, stagger: true } },
    // The gate's clock must be the simulation's: Date and the timers are virtual, performance.now is not.
    timers: {
      now: () => Date.now(),
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  } satisfies ConfigManagerOptions
}

/**
 * Loads what the first read of a process imports (the SDK's commands, lru-cache) before time is
 * virtual: an import is real I/O the idle check cannot see, and would let virtual time run on.
 */
async function warmUp(fake: FakeProcess) {
  await fake.seed({ WARM_UP: 'x' })
  const manager = new ConfigManager({
    secrets: [
      secretsManager({
        endpoint: fake.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      }),
    ],
  })
  await manager.getMany(['WARM_UP', 'WARM_UP_2'])
  await manager.get('WARM_UP', { fresh: true })
  await manager.close()
}

export async function simulate(mode: FleetMode, s: FleetScenario, fake: FakeProcess): Promise<FleetRun> {
  const realSetImmediate = setImmediate
  const keys = Array.from({ length: s.secrets }, (_, k) => `SERVICE_${String(k).padStart(3, '0')}_TOKEN`)
  /** rotatedAt[k][n]: when version n of secret k became current (virtual ms). */
  const rotatedAt = keys.map(() => [s.start])
  await fake.setNow(s.start)
  await fake.seed(Object.fromEntries(keys.map((key) => [key, `${key}#0`])))

  // Work the fleet is waiting on outside virtual time: SDK calls and control messages to the fake.
  let busy = 0
  let onIdle: (() => void) | undefined
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++
    try {
      return await work()
    } finally {
      if (--busy === 0) onIdle?.()
    }
  }
  // One SDK client for the whole fleet (a thousand would only cost memory here); each replica keeps
  // its own provider, cache and manager. The middleware sees every call, so the loop knows when the
  // fleet is idle.
  const client = new SecretsManagerClient({
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    maxAttempts: 1, // retries are the manager's, on virtual time
  })
  // The fake's clock follows virtual time; it is set only before a request that needs it, so a step
  // without store calls costs no message.
  let synced = s.start
  const sync = async () => {
    const now = Date.now()
    if (now !== synced) {
      synced = now
      await fake.setNow(now)
    }
  }
  client.middlewareStack.add(
    (next) => (args) =>
      track(async () => {
        await sync()
        return next(args)
      }),
    {
      step: 'initialize',
      name: 'fleetIdleTracker',
    },
  )

  // Every replica's manager and provider exist before time turns virtual, and each provider has
  // connected (imported its SDK: real I/O the idle check cannot see); those requests are not counted.
  await warmUp(fake)
  const managers = Array.from(
    { length: s.replicas },
    (_, i) => new ConfigManager(managerOptions(mode, s, client, i)),
  )
  for (let i = 0; i < managers.length; i += 100)
    await Promise.all(managers.slice(i, i + 100).map((m) => m.health()))
  await fake.resetRequests()
  const clock = FakeTimers.withGlobal(globalThis).install({
    now: s.start,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    shouldClearNativeTimers: true, // the SDK clears timers it set before the install
  })

  const latency = new Samples()
  const staleness = new Samples()
  const readErrors: Record<string, number> = {}
  let staleReads = 0
  const random = seededRandom(42)

  const observe = (k: number, started: number, value: Secret) => {
    const now = Date.now()
    latency.push(now - started)
    if (process.env.FLEET_DEBUG && now - started > 100)
      console.log('slow', k, started - s.start, now - started)
    const served = Number(value.reveal().split('#')[1])
    const versions = rotatedAt[k]!
    const age = served < versions.length - 1 ? now - versions[served + 1]! : 0
    if (age > 0) staleReads++
    staleness.push(age)
  }
  const failed = (error: unknown) => {
    const code = error instanceof PolysecretError ? error.code : 'UNKNOWN'
    readErrors[code] = (readErrors[code] ?? 0) + 1
  }

  for (let i = 0; i < s.replicas; i++) {
    const manager = managers[i]!
    const startAt = random() * s.deployWindowMs
    // The replica's requests use every secret (concurrently, as requests in flight would).
    const readAll = async () => {
      const started = Date.now()
      await Promise.all(
        keys.map(async (key, k) => {
          try {
            observe(k, started, (await manager.get(key)) as Secret)
          } catch (error) {
            failed(error)
          }
        }),
      )
    }
    const startup = async () => {
      const started = Date.now()
      if (mode === 'naive') {
        await Promise.all(
          keys.map(async (key, k) => {
            try {
              observe(k, started, (await manager.get(key)) as Secret)
            } catch (error) {
              failed(error)
            }
          }),
        )
      } else {
        const { values, errors } = await manager.getMany(keys)
        keys.forEach((key, k) => {
          if (values[key]) observe(k, started, values[key] as Secret)
        })
        for (const error of Object.values(errors)) failed(error)
      }
    }
    setTimeout(() => {
      void startup().then(() => {
        const phase = random() * s.readEveryMs
        setTimeout(function tick() {
          void readAll()
          setTimeout(tick, s.readEveryMs)
        }, phase)
      })
    }, startAt)
  }
  // Rotation: secret k gets a new version at k/K of every rotation period, from the end of the deploy.
  keys.forEach((key, k) => {
    setTimeout(
      function rotate() {
        const n = rotatedAt[k]!.length
        void track(() => fake.seed({ [key]: `${key}#${n}` })).then(() => rotatedAt[k]!.push(Date.now()))
        setTimeout(rotate, s.rotateEveryMs)
      },
      60_000 + s.rotateEveryMs * (k / keys.length),
    )
  })

  const end = s.start + s.durationMs
  // fake-timers keeps its timers in a min-heap by due time; peeking it says when the next step is.
  const heap = (clock as unknown as { timerHeap: { peek(): { callAt: number } | undefined } }).timerHeap
  try {
    for (;;) {
      // Idle: nothing in flight, and still nothing after a few turns of the real event loop.
      for (let quiet = 0; quiet < 3; ) {
        if (busy > 0) {
          await new Promise<void>((resolve) => (onIdle = resolve))
          onIdle = undefined
          quiet = 0
        } else {
          await new Promise((r) => realSetImmediate(r))
          if (busy === 0) quiet++
        }
      }
      const at = heap.peek()?.callAt ?? Number.POSITIVE_INFINITY
      if (!(at <= end)) break
      clock.next()
    }
  } finally {
    clock.uninstall()
  }
  await Promise.all(managers.map((m) => m.close()))
  client.destroy()
  const lat = latency.sorted()
  const st = staleness.sorted()
  return {
    reads: lat.length,
    readErrors,
    latencyMs: { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: percentile(lat, 1) },
    stalenessMs: { p50: percentile(st, 0.5), p99: percentile(st, 0.99), max: percentile(st, 1), staleReads },
  }
}
