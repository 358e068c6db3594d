import { asPolysecretError } from './chain.js'
import type { ProviderGate } from './gate/gate.js'
import { mapLimit } from './map-limit.js'
import type { Health, Provider } from './provider.js'
import { scrubBounded } from './scrub.js'

export interface ProviderHealth extends Health {
  readonly provider: string
  readonly type: string
}

/**
 * Each provider's health, checked in parallel (bounded), each within `timeout` — waiting for a slot
 * under `limits` included. Never throws: a failure is `{ ok: false, message }` with the error's
 * class and code, never what the store wrote.
 */
export function checkedHealth(
  gate: ProviderGate,
  providers: readonly Provider[],
  concurrency: number,
  timeout: number,
): Promise<ProviderHealth[]> {
  return mapLimit(providers, concurrency, async (p) => {
    const started = performance.now()
    try {
      // The timeout's signal reaches the provider, so a hung store's request is cancelled, not left open.
      const h = await gate.call(p, 'health', (signal) => p.health({ signal }), {
        retry: false,
        timeout,
        // Waiting for a slot under `limits` counts against the same timeout (none when it is 0/∞).
        ...(timeout > 0 ? { deadline: timeout } : {}),
      })
      const message = typeof h.message === 'string' ? scrubBounded(h.message) : undefined
      return {
        provider: p.name,
        type: p.type,
        latencyMs: performance.now() - started,
        ...h,
        ...(message !== undefined ? { message } : {}),
      }
    } catch (error) {
      const mapped = asPolysecretError(error, undefined, p.name, true)
      return {
        provider: p.name,
        type: p.type,
        ok: false,
        latencyMs: performance.now() - started,
        message: mapped.message,
      }
    }
  })
}
