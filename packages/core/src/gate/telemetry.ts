/**
 * OpenTelemetry for the manager: spans for reads, writes, refreshes and provider calls, and metrics
 * (provider calls, call duration, cache results), through `@opentelemetry/api` — an optional peer
 * loaded only when a manager is built with `telemetry`. Attributes name keys, providers and
 * operations, never a value; an error is described by its code (`error.type`), never its message.
 */
import type { Attributes, Counter, Histogram, Meter, Span, Tracer } from '@opentelemetry/api'
import { loadOpenTelemetry } from '../lazy-modules.js'
import type { Provider } from '../provider.js'
import type { CacheCounters, ProviderOperation } from './stats.js'

/**
 * `telemetry` option: `true` uses the global tracer and meter providers (what the OpenTelemetry SDK
 * registers); or pass providers of your own.
 */
export type TelemetryOption =
  | boolean
  | {
      /** A `TracerProvider` from `@opentelemetry/api`. @default the global one */
      tracerProvider?: { getTracer(name: string, version?: string): unknown }
      /** A `MeterProvider` from `@opentelemetry/api`. @default the global one */
      meterProvider?: { getMeter(name: string, version?: string): unknown }
    }

/** Instrumentation scope name, as OpenTelemetry asks libraries to use (the package name). */
export const SCOPE = '@polysecret/core'

/** Attribute names. `error.type` is the semantic-conventions name; the rest are ours, namespaced. */
export const ATTR = {
  key: 'polysecret.key',
  kind: 'polysecret.kind',
  operation: 'polysecret.operation',
  provider: 'polysecret.provider.name',
  providerType: 'polysecret.provider.type',
  cacheResult: 'polysecret.cache.result',
  attempt: 'polysecret.retry.attempt',
  outcome: 'polysecret.outcome',
  keyCount: 'polysecret.key.count',
  errorType: 'error.type',
} as const

interface Loaded {
  readonly api: typeof import('@opentelemetry/api')
  readonly tracer: Tracer
  readonly calls: Counter
  readonly limited: Counter
  readonly duration: Histogram
}

/** A span of a provider call; `end` records the metrics too. */
export interface CallSpan {
  end(latencyMs: number, error: unknown): void
}

export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : '_OTHER'
}

export class Telemetry {
  /** Set until `@opentelemetry/api` has loaded (or failed to); callers await it once. */
  loading: Promise<void> | undefined
  #otel: Loaded | undefined

  constructor(option: Exclude<TelemetryOption, false>, cache: CacheCounters) {
    this.loading = loadOpenTelemetry().then(
      (api) => {
        this.#otel = setUp(api, option, cache)
        this.loading = undefined
      },
      () => {
        // Observability must not take the service down: warn once and run without it.
        process.emitWarning(
          'telemetry is on but @opentelemetry/api could not be loaded; install it (npm install @opentelemetry/api) to get spans and metrics.',
          { code: 'POLYSECRET_OTEL_MISSING' },
        )
        this.loading = undefined
      },
    )
  }

  startCall(
    provider: Provider,
    operation: ProviderOperation,
    key: string | undefined,
    attempt: number,
  ): CallSpan | undefined {
    const otel = this.#otel
    if (!otel) return undefined
    const base: Attributes = {
      [ATTR.provider]: provider.name,
      [ATTR.providerType]: provider.type,
      [ATTR.operation]: operation,
    }
    const span = otel.tracer.startSpan(`polysecret.provider ${operation}`, {
      kind: otel.api.SpanKind.CLIENT,
      attributes: {
        ...base,
        ...(key !== undefined ? { [ATTR.key]: key } : {}),
        ...(attempt > 0 ? { [ATTR.attempt]: attempt } : {}),
      },
    })
    return {
      end: (latencyMs, error) => {
        const metric: Attributes = { ...base }
        if (error !== undefined) {
          const type = errorType(error)
          metric[ATTR.errorType] = type
          span.setAttribute(ATTR.errorType, type)
          span.setStatus({ code: otel.api.SpanStatusCode.ERROR })
        }
        metric[ATTR.outcome] =
          error === undefined ? 'ok' : metric[ATTR.errorType] === 'THROTTLED' ? 'throttled' : 'error'
        otel.calls.add(1, metric)
        otel.duration.record(latencyMs / 1000, metric)
        span.end()
      },
    }
  }

  recordLimited(provider: Provider, operation: ProviderOperation): void {
    this.#otel?.limited.add(1, { [ATTR.provider]: provider.name, [ATTR.operation]: operation })
  }

  /**
   * Runs a manager operation in a span (the active one, so provider calls nest under it). `describe`
   * adds attributes from the result; a failure sets `error.type` and the error status.
   */
  async span<T>(
    name: string,
    attributes: Attributes,
    fn: () => Promise<T>,
    describe?: (result: T) => Attributes,
  ): Promise<T> {
    if (this.loading) await this.loading
    const otel = this.#otel
    if (!otel) return fn()
    return otel.tracer.startActiveSpan(name, { attributes }, async (span: Span) => {
      try {
        const result = await fn()
        if (describe) span.setAttributes(describe(result))
        return result
      } catch (error) {
        span.setAttribute(ATTR.errorType, errorType(error))
        span.setStatus({ code: otel.api.SpanStatusCode.ERROR })
        throw error
      } finally {
        span.end()
      }
    })
  }
}

function setUp(
  api: typeof import('@opentelemetry/api'),
  option: Exclude<TelemetryOption, false>,
  cache: CacheCounters,
): Loaded {
  const own = option === true ? {} : option
  const tracer = own.tracerProvider
    ? (own.tracerProvider.getTracer(SCOPE) as Tracer)
    : api.trace.getTracer(SCOPE)
  const meter = own.meterProvider ? (own.meterProvider.getMeter(SCOPE) as Meter) : api.metrics.getMeter(SCOPE)
  // Cache results are observed from the read engine's counters: the cached-read fast path pays nothing.
  meter
    .createObservableCounter('polysecret.cache.results', {
      description:
        'Reads by cache result: hit (fresh), miss (asked the stores), stale (served a stale value).',
      unit: '{read}',
    })
    .addCallback((result) => {
      result.observe(cache.hits, { [ATTR.cacheResult]: 'hit' })
      result.observe(cache.misses, { [ATTR.cacheResult]: 'miss' })
      result.observe(cache.staleServes, { [ATTR.cacheResult]: 'stale' })
    })
  return {
    api,
    tracer,
    calls: meter.createCounter('polysecret.provider.calls', {
      description: 'Calls made to a store (every attempt), by provider, operation and outcome.',
      unit: '{call}',
    }),
    limited: meter.createCounter('polysecret.provider.limited', {
      description: 'Calls that gave up waiting for a slot under the configured limits.',
      unit: '{call}',
    }),
    duration: meter.createHistogram('polysecret.provider.call.duration', {
      description: 'Duration of calls to a store.',
      unit: 's',
    }),
  }
}
