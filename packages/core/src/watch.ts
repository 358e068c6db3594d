import { ChangeTokens } from './change-tokens.js'
import { NotFoundError, PolysecretError, UnsupportedError, ValidationError } from './errors.js'
import type { AccessListener } from './events.js'
import type { Provider } from './provider.js'
import { PushChannels } from './push-channels.js'
import type { ReadEngine } from './read-engine.js'
import type { Route } from './read-record.js'

/** Called when a watched key's version changes. `newVersion` is `undefined` when the key was deleted. */
export type ChangeListener = (
  key: string,
  previousVersion: string | undefined,
  newVersion: string | undefined,
) => void

export interface WatchOptions {
  /** Poll interval in milliseconds; each wait is jittered by ±10% so many instances do not poll in step. @default 30_000 */
  interval?: number
  /**
   * Called when a poll fails (the watcher keeps polling): a key's read, a prefix's list, or a listener
   * that threw. A failed read is reported even while the cache serves the last good value within
   * `cache.staleIfError` — the version is then unchanged, so no change is reported for it.
   */
  onError?: (error: PolysecretError) => void
  /**
   * A key served by a provider without the `watch` capability (e.g. `env`, which cannot change while
   * the process runs): `'error'` rejects the watch with `UnsupportedError`, `'ignore'` leaves the key
   * out. `load(schema, { watch: true })` uses `'ignore'`.
   * @default 'error'
   */
  unwatchable?: 'error' | 'ignore'
}

const UNWATCHABLE = Symbol('unwatchable')

/** A running watch; stop it with `close()` (or `await using`). */
export interface Watcher {
  /** The keys being watched (for a prefix: the keys found by the last poll). */
  readonly keys: readonly string[]
  close(): void
  [Symbol.dispose](): void
}

/**
 * Polls versions of keys (or of every key under a prefix) and reports changes. The provider serving a
 * key must declare the `watch` capability — a version that changes with the value — otherwise the
 * watch fails at start with `UnsupportedError`. Providers with a `changeToken` are asked for it once
 * per poll, and keys behind providers whose tokens did not change are not re-read (one request per
 * poll instead of one per key, e.g. an App Configuration sentinel key). Providers with a push channel
 * (`Provider.subscribe`, e.g. a Kubernetes watch stream) are subscribed to once: keys whose changing
 * providers all push are re-read only when a pushed change names them, never on the poll timer.
 */
export async function startWatch(
  engine: ReadEngine,
  listKeys: (prefix: string) => Promise<string[]>,
  target: string | readonly string[],
  listener: ChangeListener,
  opts: WatchOptions,
  emit: AccessListener | undefined,
): Promise<Watcher> {
  const interval = opts.interval ?? 30_000
  if (!(interval > 0))
    throw new ValidationError(
      `watch interval must be a positive number of milliseconds, got ${String(opts.interval)}.`,
    )
  if (typeof listener !== 'function') throw new ValidationError('watch needs a listener function.')
  const validTarget =
    (typeof target === 'string' && target !== '') ||
    (Array.isArray(target) && target.every((k) => typeof k === 'string' && k !== ''))
  if (!validTarget) {
    throw new ValidationError('watch needs a key prefix or an array of keys.', {
      hint: "e.g. manager.watch(['DB_PASSWORD'], listener) or manager.watch('APP_', listener).",
    })
  }
  const byPrefix = typeof target === 'string'
  const versions = new Map<string, string | undefined>()
  let keys: string[] = byPrefix ? await listKeys(target) : [...target]

  let closed = false
  const report = (error: unknown, key: string | undefined) =>
    closed
      ? undefined
      : opts.onError?.(
          error instanceof PolysecretError
            ? error
            : new PolysecretError('Watch poll failed.', { key, cause: error }),
        )

  const versionOf = async (key: string): Promise<string | undefined | typeof UNWATCHABLE> => {
    try {
      const read = await engine.read(key, { fresh: true })
      // Every provider failed and the cache served the last good value (stale-if-error): the watch
      // goes on with the version it knew, but the failure is still news to whoever watches.
      if (read.staleReason === 'error' && read.error) report(read.error, key)
      const provider = engine.providerNamed(read.provider)
      if (provider && !provider.capabilities.watch) {
        if (opts.unwatchable === 'ignore') return UNWATCHABLE
        throw new UnsupportedError({ key, provider: provider.name, capability: 'watch' })
      }
      return read.version
    } catch (error) {
      if (error instanceof NotFoundError) return undefined
      throw error
    }
  }

  const tokens = new ChangeTokens(engine.gate)
  const routeOf = (key: string) => {
    try {
      return engine.route(key)
    } catch {
      return undefined // the read reports the problem
    }
  }
  const refreshTokens = () =>
    tokens.refresh(
      keys.flatMap((key) => routeOf(key) ?? []),
      (error) => report(error, undefined),
    )

  // Pushed changes queue up and are re-read one batch at a time (a burst of events costs one read
  // per key), and only once the first reads are in, so a change during start-up is compared with them.
  let started = false
  let relist = false
  const pending = new Set<string>()
  let draining = false
  const drain = async () => {
    if (draining || !started) return
    draining = true
    try {
      while ((pending.size > 0 || relist) && !closed) {
        if (relist) {
          relist = false
          await relistKeys()
        }
        const batch = [...pending]
        pending.clear()
        await check(batch, () => false)
      }
    } finally {
      draining = false
    }
  }
  const onPush = (provider: Provider, pushed: readonly string[] | undefined) => {
    for (const key of keys) {
      const route = routeOf(key)
      if (route !== undefined && pushes.concerns(route, provider, pushed)) pending.add(key)
    }
    if (byPrefix && pushed === undefined) relist = true
    if (byPrefix && pushed !== undefined) {
      for (const key of pushed) if (key.startsWith(target as string)) pending.add(key)
    }
    void drain()
  }
  const pushes = new PushChannels(engine.gate, onPush, (error) => report(error, undefined))

  // Channels go live before the first reads: a change after a read is pushed, none falls in between.
  await pushes.attach(keys.flatMap((key) => routeOf(key) ?? []))
  // The first poll runs before watch() resolves, so an unsupported provider fails the call itself.
  // Tokens are taken before the reads: a change landing in between shows as a new token next poll.
  let first: (readonly [string, string | undefined | typeof UNWATCHABLE])[]
  try {
    await refreshTokens()
    first = await Promise.all(keys.map(async (key) => [key, await versionOf(key)] as const))
  } catch (error) {
    pushes.close()
    throw error
  }
  for (const [key, version] of first) if (version !== UNWATCHABLE) versions.set(key, version)
  keys = keys.filter((key) => versions.has(key))

  let timer: ReturnType<typeof setTimeout> | undefined
  const relistKeys = async () => {
    const listed = await listKeys(target as string).catch((error: unknown) => {
      report(error, target as string)
      return keys
    })
    keys = [...new Set([...listed, ...keys])]
  }
  const poll = async () => {
    if (byPrefix) await relistKeys()
    await refreshTokens()
    // Keys whose changes are pushed are not polled: a push re-reads them when they change.
    await check(keys, (route) => tokens.unchanged(route) || pushes.covers(route))
  }
  /** Re-reads `candidates` (skipping known keys `skip` says are unchanged) and reports what changed. */
  const check = async (candidates: readonly string[], skip: (route: Route) => boolean) => {
    const changes: [key: string, previous: string | undefined, next: string | undefined][] = []
    await Promise.all(
      candidates.map(async (key) => {
        const route = versions.has(key) ? routeOf(key) : undefined
        if (route !== undefined && skip(route)) return
        try {
          const next = await versionOf(key)
          if (next === UNWATCHABLE) return
          const previous = versions.get(key)
          if (versions.has(key) && next === previous) return
          if (!keys.includes(key)) keys = [...keys, key] // a key a push named under the prefix
          versions.set(key, next)
          changes.push([key, previous, next])
        } catch (error) {
          report(error, key)
        }
      }),
    )
    // Listeners hear every change of one poll together, after all reads are in: a live config
    // re-validates once for several changed keys.
    for (const [key, previous, next] of changes) {
      if (closed) return
      emit?.({
        operation: 'watch',
        key,
        kind: engine.route(key).kind,
        outcome: 'changed',
        latencyMs: 0,
        cache: 'miss',
        version: next,
      })
      try {
        listener(key, previous, next)
      } catch (error) {
        report(error, key)
      }
    }
  }
  const schedule = () => {
    if (closed) return
    const jittered = interval * (0.9 + Math.random() * 0.2)
    timer = setTimeout(() => {
      poll().finally(schedule)
    }, jittered)
    timer.unref?.()
  }
  schedule()
  started = true
  void drain()
  const close = () => {
    closed = true
    clearTimeout(timer)
    pushes.close()
  }
  return {
    get keys() {
      return keys
    },
    close,
    [Symbol.dispose]: close,
  }
}
