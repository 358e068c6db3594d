import type { ProviderGate } from './gate/gate.js'
import type { Provider } from './provider.js'
import type { Route } from './read-record.js'

function chainOf(route: Route): readonly Provider[] {
  return route.otherChain ? [...route.chain, ...route.otherChain] : route.chain
}

/**
 * The change tokens (`Provider.changeToken`) of the providers behind watched keys, asked once per
 * poll: a key whose providers all report an unchanged token need not be re-read. A provider that
 * cannot change while the process runs (no `watch` capability, e.g. `env`) counts as unchanged; one
 * that can but has no token, whose token failed or is `undefined`, counts as changed.
 */
export class ChangeTokens {
  readonly #last = new Map<Provider, string>()
  readonly #unchanged = new Set<Provider>()

  constructor(private readonly gate: ProviderGate) {}

  /** Asks every token-capable provider on the routes once; `onError` hears a failed ask. */
  async refresh(routes: readonly Route[], onError: (error: unknown) => void): Promise<void> {
    const providers = new Set<Provider>()
    for (const route of routes) {
      for (const p of chainOf(route)) if (p.capabilities.watch && p.changeToken) providers.add(p)
    }
    this.#unchanged.clear()
    await Promise.all(
      [...providers].map(async (provider) => {
        let token: string | undefined
        try {
          const ask = provider.changeToken!.bind(provider)
          token = await this.gate.call(provider, 'changeToken', (signal) => ask({ signal }), { retry: false })
        } catch (error) {
          onError(error)
        }
        const before = this.#last.get(provider)
        if (token === undefined) this.#last.delete(provider)
        else this.#last.set(provider, token)
        if (token !== undefined && token === before) this.#unchanged.add(provider)
      }),
    )
  }

  /** Whether the last refresh says nothing behind this route changed. */
  unchanged(route: Route): boolean {
    const chain = chainOf(route)
    return (
      chain.some((p) => this.#unchanged.has(p)) &&
      chain.every((p) => !p.capabilities.watch || this.#unchanged.has(p))
    )
  }
}
