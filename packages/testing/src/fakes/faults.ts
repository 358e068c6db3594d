import { type Quota, Quotas } from './quota.js'
import { createRandom, type Random } from './random.js'

/**
 * Fault injection shared by every fake server. A fake asks {@link Faults.decide} once per request and
 * acts on the answer; how an injected error looks on the wire (AWS JSON, Google JSON …) is the
 * protocol's business, so this module only says *what* should go wrong, never *how it is encoded*.
 */

/** Which requests a fault applies to. */
export interface FaultScope {
  /** Only these operations (e.g. `['GetSecretValue']`). Default: every operation. */
  readonly operations?: readonly string[]
  /**
   * Apply to at most this many matching requests, then retire. With `rate` 1 this reads "fail the next
   * N calls", which is what retry tests want.
   */
  readonly times?: number
}

/** A protocol-level error to answer with. Fields left out get the protocol's server-error defaults. */
export interface InjectedError {
  /** HTTP status. Default: 500. */
  readonly status?: number
  /** Wire error type, e.g. `InternalServiceError`, `AccessDeniedException`. Default: the service's 5xx type. */
  readonly type?: string
  readonly message?: string
}

/** How a downed fake fails: refuse connections, reset them, or answer 503. */
export type DownMode = 'refuse' | 'reset' | 'unavailable'

/** What the server should do with one request. */
export type FaultAction =
  | { readonly kind: 'pass' }
  | { readonly kind: 'error'; readonly error: InjectedError }
  | {
      readonly kind: 'throttle'
      readonly status?: number | undefined
      /** The wait the answer asks for (the protocol sends it its own way: a retry-after header, RetryInfo). */
      readonly retryAfterMs?: number | undefined
    }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'malform' }
  | { readonly kind: 'down'; readonly mode: DownMode }

/** The answer to {@link Faults.decide}: wait `delayMs`, then do `action`. */
export interface FaultDecision {
  readonly delayMs: number
  readonly action: FaultAction
}

/** Latency: a fixed delay or a uniform range. */
export type Latency = number | { readonly min: number; readonly max: number }

type ActionRule = {
  kind: 'error' | 'throttle' | 'reset' | 'hang' | 'truncate' | 'malform'
  rate: number
  scope: FaultScope
  remaining: number
  error?: InjectedError
  retryAfterMs?: number | undefined
}
type LatencyRule = { latency: Latency; scope: FaultScope; remaining: number }

/** Hooks a server installs so `down()`/`up()` can close and reopen its listener. */
export interface DownHooks {
  down(mode: DownMode): Promise<void>
  up(): Promise<void>
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be between 0 and 1, got ${rate}`)
}

/**
 * The fault switchboard of one fake. Rules stack: every matching latency rule adds its delay, and the
 * first action rule (in the order they were added) whose dice roll hits decides the outcome.
 *
 * @example
 * ```ts
 * fake.faults.latency({ min: 5, max: 20 })
 * fake.faults.throttle(1, { operations: ['GetSecretValue'], times: 2 }) // next 2 reads throttled
 * fake.faults.errorRate(0.1, { status: 500 })
 * await fake.faults.down()   // connection refused until up()
 * fake.faults.clear()
 * ```
 */
export class Faults {
  readonly #random: Random
  #latency: LatencyRule[] = []
  #actions: ActionRule[] = []
  #down: DownMode | undefined
  #hooks: DownHooks | undefined
  #injected = new Map<string, number>()
  readonly #quotas: Quotas

  constructor(
    options: {
      seed?: number | undefined
      now?: (() => number) | undefined
      quotas?: readonly Quota[] | undefined
    } = {},
  ) {
    this.#random = createRandom(options.seed)
    this.#quotas = new Quotas(options.now)
    for (const quota of options.quotas ?? []) this.#quotas.add(quota)
  }

  /**
   * Enforces a request-rate quota as the service does: a token bucket of `burst` (default: one
   * second's worth) refilled at `rate` per second in the fake's clock; a request over it gets the
   * service's throttling error. Unlike {@link throttle}, nothing is random: what passes depends only
   * on when requests arrive. `clear()` removes quotas too.
   *
   * @example
   * ```ts
   * fake.faults.quota({ operations: ['BatchGetSecretValue'], rate: 100 }) // AWS's quota
   * ```
   */
  quota(quota: Quota): this {
    this.#quotas.add(quota)
    return this
  }

  /** Adds latency to matching requests: `ms`, or uniformly drawn from `{ min, max }`. */
  latency(latency: Latency, scope: FaultScope = {}): this {
    this.#latency.push({ latency, scope, remaining: scope.times ?? Number.POSITIVE_INFINITY })
    return this
  }

  /** Answers a `rate` fraction of matching requests with an error (default: the service's HTTP 500). */
  errorRate(rate: number, error: InjectedError & FaultScope = {}): this {
    return this.#add('error', rate, error, error)
  }

  /**
   * Answers a `rate` fraction of matching requests with the service's throttling error. `status`
   * overrides the service's usual status (AWS JSON services send 400; some front ends send 429).
   * `retryAfterMs` makes each throttled answer ask the client to wait that long, in the protocol's own
   * way (AWS: `x-amz-retry-after` in milliseconds, or `Retry-After` in seconds with a 429; Google: a
   * google.rpc.RetryInfo in the `grpc-status-details-bin` trailer over gRPC, `Retry-After` over REST).
   */
  throttle(
    rate: number,
    options: FaultScope & { readonly status?: number; readonly retryAfterMs?: number } = {},
  ): this {
    const hint = options.retryAfterMs
    if (hint !== undefined && !(Number.isFinite(hint) && hint >= 0))
      throw new RangeError(`retryAfterMs must be a non-negative number of milliseconds, got ${hint}`)
    const status = options.status === undefined ? undefined : { status: options.status }
    return this.#add('throttle', rate, options, status, hint)
  }

  /** Destroys the connection of a `rate` fraction of matching requests without answering (ECONNRESET). */
  reset(rate: number, scope: FaultScope = {}): this {
    return this.#add('reset', rate, scope)
  }

  /** Never answers a `rate` fraction of matching requests; the client's timeout has to fire. */
  hang(rate: number, scope: FaultScope = {}): this {
    return this.#add('hang', rate, scope)
  }

  /**
   * Answers a `rate` fraction of matching requests with the real answer cut short: the headers promise
   * the whole body (Content-Length over HTTP/1.1), half of it arrives, then the connection drops — what
   * a proxy or load balancer that dies mid-response produces. Over gRPC the stream is reset mid-message.
   */
  truncate(rate: number, scope: FaultScope = {}): this {
    return this.#add('truncate', rate, scope)
  }

  /**
   * Answers a `rate` fraction of matching requests with the real status and headers but a body the
   * protocol cannot decode (an HTML error page where JSON was promised; garbage protobuf over gRPC) —
   * what a misrouted request or a captive proxy returns with a 200.
   */
  malform(rate: number, scope: FaultScope = {}): this {
    return this.#add('malform', rate, scope)
  }

  /**
   * Takes the whole fake down until {@link up}: `'refuse'` (default) closes the listener so connects get
   * ECONNREFUSED, `'reset'` accepts and drops connections, `'unavailable'` answers HTTP 503.
   */
  async down(mode: DownMode = 'refuse'): Promise<void> {
    if (this.#down === mode) return
    if (this.#down !== undefined) await this.up()
    this.#down = mode
    await this.#hooks?.down(mode)
  }

  /** Brings a downed fake back on the same port. */
  async up(): Promise<void> {
    if (this.#down === undefined) return
    this.#down = undefined
    await this.#hooks?.up()
  }

  /** Whether the fake is down, and how. */
  get isDown(): DownMode | undefined {
    return this.#down
  }

  /** Removes every latency and action rule and every quota (not `down`; call `up()` for that). */
  clear(): this {
    this.#latency = []
    this.#actions = []
    this.#quotas.clear()
    return this
  }

  /** How many faults of a kind (`error`, `throttle`, `reset`, `hang`, `truncate`, `malform`, `down`) were injected so far. */
  injected(kind: FaultAction['kind']): number {
    return this.#injected.get(kind) ?? 0
  }

  /** @internal Lets the owning server react to `down()`/`up()`. */
  attach(hooks: DownHooks): void {
    this.#hooks = hooks
  }

  /** Decides the fate of one request to `operation`. Called by servers, once per request. */
  decide(operation: string): FaultDecision {
    if (this.#down !== undefined)
      return this.#count({ delayMs: 0, action: { kind: 'down', mode: this.#down } })
    let delayMs = 0
    for (const rule of this.#latency) {
      if (!this.#matches(rule.scope, operation) || rule.remaining <= 0) continue
      rule.remaining--
      const l = rule.latency
      delayMs += typeof l === 'number' ? l : l.min + this.#random.next() * (l.max - l.min)
    }
    for (const rule of this.#actions) {
      if (!this.#matches(rule.scope, operation) || rule.remaining <= 0) continue
      // Every matching rule draws once whatever its rate, so a seeded pattern depends only on the rules
      // and the order of requests.
      if (this.#random.next() >= rule.rate) continue
      rule.remaining--
      const action: FaultAction =
        rule.kind === 'error'
          ? { kind: 'error', error: rule.error ?? {} }
          : rule.kind === 'throttle'
            ? { kind: 'throttle', status: rule.error?.status, retryAfterMs: rule.retryAfterMs }
            : { kind: rule.kind }
      return this.#count({ delayMs, action })
    }
    // Checked last: a request an injected fault already failed never reached the quota.
    if (!this.#quotas.take(operation)) return this.#count({ delayMs, action: { kind: 'throttle' } })
    return { delayMs, action: { kind: 'pass' } }
  }

  #add(
    kind: ActionRule['kind'],
    rate: number,
    scope: FaultScope,
    error?: InjectedError,
    retryAfterMs?: number,
  ): this {
    checkRate(rate)
    const rule: ActionRule = {
      kind,
      rate,
      scope,
      remaining: scope.times ?? Number.POSITIVE_INFINITY,
      retryAfterMs,
    }
    if (error)
      rule.error = { status: error.status, type: error.type, message: error.message } as InjectedError
    this.#actions.push(rule)
    return this
  }

  #matches(scope: FaultScope, operation: string): boolean {
    return !scope.operations || scope.operations.includes(operation)
  }

  #count(decision: FaultDecision): FaultDecision {
    const kind = decision.action.kind
    this.#injected.set(kind, (this.#injected.get(kind) ?? 0) + 1)
    return decision
  }
}
