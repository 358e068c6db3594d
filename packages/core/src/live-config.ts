import { PolysecretError } from './errors.js'
import { registerLiveConfig } from './masked-config.js'
import { sealError } from './scrub-error.js'
import type { Watcher } from './watch.js'

const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

/** Called after a new config was validated and swapped in. */
export type ConfigChangeListener<T> = (next: T, previous: T, changedKeys: readonly string[]) => void

/**
 * A config that stays current: when a watched key changes it is re-read and re-validated, and the new
 * object replaces the old in one assignment. A new value that fails validation is rejected: the last
 * good config stays in place and `onError` listeners hear why. Once closed (by `close()` or the
 * manager's `close()`), no listener hears anything more, even from a reload that was already running.
 *
 * It prints like its current config: secret fields masked (`console.log`, `util.inspect`,
 * `JSON.stringify`).
 */
export class LiveConfig<T> {
  #current: T
  #closed = false
  #watcher: Watcher | undefined
  #queue: Promise<void> = Promise.resolve()
  #scheduled: Promise<void> | undefined
  readonly #pending = new Set<string>()
  readonly #changeListeners = new Set<ConfigChangeListener<T>>()
  readonly #errorListeners = new Set<(error: PolysecretError) => void>()

  constructor(initial: T) {
    this.#current = initial
  }

  /** The current validated config. Read it each time you need it rather than keeping fields around. */
  get current(): T {
    return this.#current
  }

  /** Subscribes to successful changes; returns an unsubscribe function. */
  onChange(listener: ConfigChangeListener<T>): () => void {
    this.#changeListeners.add(listener)
    return () => this.#changeListeners.delete(listener)
  }

  /** Subscribes to rejected changes (invalid new values) and read failures; returns an unsubscribe function. */
  onError(listener: (error: PolysecretError) => void): () => void {
    this.#errorListeners.add(listener)
    return () => this.#errorListeners.delete(listener)
  }

  /** @internal Wires the watcher whose changes feed this config. */
  attach(watcher: Watcher): void {
    this.#watcher = watcher
  }

  /**
   * @internal Swaps in a freshly validated config, or keeps the last good one on failure. Changes that
   * arrive together (one poll) coalesce into one reload; reloads run one after another, so an older
   * read can never be swapped in last.
   */
  refresh(changedKeys: readonly string[], reload: () => Promise<T>): Promise<void> {
    for (const key of changedKeys) this.#pending.add(key)
    if (this.#scheduled) return this.#scheduled
    this.#scheduled = this.#queue.then(async () => {
      await Promise.resolve() // let the rest of this poll's changes join
      const keys = [...this.#pending]
      this.#pending.clear()
      this.#scheduled = undefined
      if (this.#closed) return
      try {
        const next = await reload()
        // Closed while the reload ran: the config stays as it was and nobody is told.
        if (this.#closed) return
        const previous = this.#current
        this.#current = next
        for (const listener of this.#changeListeners) listener(next, previous, keys)
      } catch (error) {
        // The reload read secrets: an unexpected error's text may quote one, so its cause is sealed.
        this.reportError(
          error instanceof PolysecretError
            ? error
            : new PolysecretError('Reloading the config failed.', { cause: sealError(error) }),
        )
      }
    })
    this.#queue = this.#scheduled
    return this.#scheduled
  }

  /** @internal Tells the error listeners (a rejected change, a failed poll). */
  reportError(error: PolysecretError): void {
    if (this.#closed) return
    for (const listener of this.#errorListeners) listener(error)
  }

  /** Stops watching; no `onChange` or `onError` listener is called after this. The last config stays readable. */
  close(): void {
    this.#closed = true
    this.#watcher?.close()
  }

  /** `JSON.stringify(live)` is the current config's, secret fields masked. */
  toJSON(): unknown {
    const current = this.current as { toJSON?: () => unknown } | null
    return typeof current?.toJSON === 'function' ? current.toJSON() : current
  }

  /** `console.log(live)` shows the current config, secret fields masked. */
  // util.inspect calls this with the live view (a proxy) as `this`, where private fields are out of reach.
  [inspectCustom](): unknown {
    return this.current
  }

  [Symbol.dispose](): void {
    this.close()
  }
}

/**
 * A live config that also reads like the config itself: `live.PORT` is `live.current.PORT` at the
 * moment of the read, so code written against a plain config object keeps working and sees changes.
 * The methods (`current`, `onChange`, `onError`, `close`) win over config keys of the same name.
 */
export type Live<T> = LiveConfig<T> & Readonly<T>

/** Wraps a LiveConfig so property reads fall through to the current config. */
export function liveView<T>(live: LiveConfig<T>): Live<T> {
  const current = () => live.current as Record<PropertyKey, unknown>
  const view = new Proxy(live, {
    get(target, prop) {
      if (prop in target) {
        // Methods run on the real object: private fields are not reachable through a proxy.
        const value = Reflect.get(target, prop, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
      return current()[prop]
    },
    has: (target, prop) => prop in target || prop in current(),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_target, prop) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), prop)
      return descriptor && { ...descriptor, configurable: true, writable: false }
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as Live<T>
  registerLiveConfig(view, current)
  return view
}
