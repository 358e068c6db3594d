/**
 * What the gate costs: a cached get with limits, telemetry and a manager that has never called a
 * store (the fast path must not touch the gate), and an uncached read through the gate with and
 * without limits and telemetry (per-call overhead against a memory store, so the gate is all there
 * is to measure).
 */
import { ConfigManager, type ConfigManagerOptions, memory } from '@polysecret/core'
import { fmt, interleavedAsyncRates, writeResults } from './lib.js'

const store = () => memory({ API_KEY: 'value' })

function manager(extra: Partial<ConfigManagerOptions>, cache = true): ConfigManager {
  return new ConfigManager({ secrets: [store()], ...(cache ? {} : { cache: false }), ...extra })
}

const LIMITS = { memory: { rate: 1e9, burst: 1e9, concurrency: 1_000_000 } }

async function rates(managers: Record<string, ConfigManager>) {
  for (const m of Object.values(managers)) await m.get('API_KEY')
  let sink = 0
  const loops = Object.fromEntries(
    Object.entries(managers).map(([label, m]) => [
      label,
      async () => (sink += (await m.get('API_KEY')) ? 1 : 0),
    ]),
  )
  const measured = await interleavedAsyncRates(loops)
  if (sink === 0) throw new Error('unreachable: keeps sink alive')
  for (const m of Object.values(managers)) await m.close()
  return Object.fromEntries(Object.entries(measured.best).map(([k, v]) => [k, Math.round(v as number)]))
}

export async function runGate() {
  // Telemetry last and apart: once it has run, shared read-path code is no longer monomorphic, which
  // would blur the limiter's figure.
  const cached = await rates({ plain: manager({}), limited: manager({ limits: LIMITS }) })
  const uncached = await rates({ plain: manager({}, false), limited: manager({ limits: LIMITS }, false) })
  const cachedTelemetry = await rates({ plain: manager({}), telemetry: manager({ telemetry: true }) })
  const uncachedTelemetry = await rates({
    plain: manager({}, false),
    telemetry: manager({ telemetry: true }, false),
  })
  const micros = (slow: number, fast: number) => Math.round((1e6 / slow - 1e6 / fast) * 100) / 100
  const figures = {
    cachedGetOpsPerSec: { ...cached, telemetryRun: cachedTelemetry },
    uncachedGetOpsPerSec: { ...uncached, telemetryRun: uncachedTelemetry },
    cachedLimitedRatio: cached.limited! / cached.plain!,
    cachedTelemetryRatio: cachedTelemetry.telemetry! / cachedTelemetry.plain!,
    uncachedGateMicrosPerCall: {
      limits: micros(uncached.limited!, uncached.plain!),
      telemetryNoSdk: micros(uncachedTelemetry.telemetry!, uncachedTelemetry.plain!),
    },
    note: 'ops/s in the fastest of alternating batches of awaited get() calls per loop, each pair measured side by side. "limited" has a limit far above the rate reached (the bucket is checked on every provider call); "telemetry" is on without an SDK registered (no-op tracer and meter: spans for the read and the provider call). Cached reads never reach the gate. The uncached loop reads a memory store, so the figure is the gate\'s cost per provider call on its own; against a real store it is one round trip of several milliseconds.',
    target: 'cachedLimitedRatio ≈ 1 and cachedTelemetryRatio ≈ 1 (the fast path pays for neither)',
  }
  const file = writeResults('gate', figures)
  console.log(`gate
  cached get()    ${fmt(cached.plain!)} ops/s plain, ${fmt(cached.limited!)} with limits (ratio ${fmt(figures.cachedLimitedRatio, 2)}); telemetry ratio ${fmt(figures.cachedTelemetryRatio, 2)}
  uncached get()  gate cost per provider call: limits ${fmt(figures.uncachedGateMicrosPerCall.limits, 2)} µs, telemetry without SDK ${fmt(figures.uncachedGateMicrosPerCall.telemetryNoSdk, 2)} µs
  → ${file}`)
  return figures
}
