import type { ProviderGate } from './gate/gate.js'
import type { Provider, ProviderChange, Subscription } from './provider.js'
import type { Route } from './read-record.js'

function chainOf(route: Route): readonly Provider[] {
  return route.otherChain ? [...route.chain, ...route.otherChain] : route.chain
}

/** A change one provider pushed: the keys it names (as it sees them), or `undefined` for "any". */
export type PushedChange = (provider: Provider, keys: readonly string[] | undefined) => void

/**
 * The push channels (`Provider.subscribe`) of the providers behind a watch, one per provider. A
 * route is covered when every provider on it that can change (`watch` capability) pushes over a live
 * channel: the watcher then re-reads its key only when a change names it, never on the poll timer.
 * A provider whose subscribe fails stays polled (the failure goes to `onError`).
 */
export class PushChannels {
  readonly #live = new Map<Provider, Subscription>()
  readonly #failed = new Set<Provider>()
  #closed = false

  constructor(
    private readonly gate: ProviderGate,
    private readonly onChange: PushedChange,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Subscribes (once each) to every push-capable provider on these routes; resolves when all are live or failed. */
  async attach(routes: readonly Route[]): Promise<void> {
    const wanted = new Set<Provider>()
    for (const route of routes) {
      for (const p of chainOf(route)) {
        if (p.capabilities.watch && p.subscribe && !this.#live.has(p) && !this.#failed.has(p)) wanted.add(p)
      }
    }
    await Promise.all(
      [...wanted].map(async (provider) => {
        try {
          const onChange = (change: ProviderChange) => {
            if (!this.#closed) this.onChange(provider, change?.keys)
          }
          const onError = (error: unknown) => this.#closed || this.onError(error)
          // Opening the channel is a call (it counts against limits and in stats); the stream is not.
          const subscription = await this.gate.call(
            provider,
            'subscribe',
            () => provider.subscribe!(onChange, { onError }),
            { retry: false },
          )
          if (this.#closed) subscription.close()
          else this.#live.set(provider, subscription)
        } catch (error) {
          this.#failed.add(provider)
          this.onError(error)
        }
      }),
    )
  }

  /** Whether every provider that can change this route's value pushes its changes over a live channel. */
  covers(route: Route): boolean {
    const changing = chainOf(route).filter((p) => p.capabilities.watch)
    return changing.length > 0 && changing.every((p) => this.#live.has(p))
  }

  /** Whether a change pushed by `provider` naming `keys` concerns this route. */
  concerns(route: Route, provider: Provider, keys: readonly string[] | undefined): boolean {
    if (!chainOf(route).includes(provider)) return false
    return keys === undefined || keys.includes(route.key)
  }

  close(): void {
    this.#closed = true
    for (const subscription of this.#live.values()) subscription.close()
    this.#live.clear()
  }
}
