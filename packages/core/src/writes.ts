import { asPolysecretError } from './chain.js'
import {
  PolysecretError,
  ReadOnlyError,
  UnsupportedError,
  ValidationError,
  type WriteDestinationResult,
  WriteError,
} from './errors.js'
import type { AccessListener } from './events.js'
import { assertKey } from './keys.js'
import type { Capabilities, DeleteOptions, Kind, Provider } from './provider.js'
import type { ReadEngine } from './read-engine.js'
import type { Route } from './read-record.js'
import { rememberSecretValue, revealValue, Secret } from './secret.js'
import { canDeleteAt, holdersOf, remainingCopy, sameStore } from './stale-copies.js'

/**
 * Where a write goes: the first provider of the key's chain that can write (default), named providers,
 * or `'all'` — every provider of the chain that can write.
 */
export type WriteTarget = string | readonly string[] | 'all'

export interface WriteOptions {
  /** Destinations by provider name, or `'all'` for every provider of the key's chain. */
  to?: WriteTarget
  /** Force the kind instead of classifying key and value. */
  kind?: Kind
  /** Optimistic concurrency: `ConflictError` unless the current version is this one. */
  ifVersion?: string
  /** Refuse to overwrite an existing key (`ConflictError`). */
  createOnly?: boolean
  /** Human description, where the store keeps one. */
  description?: string
  /** Tags to set on the key; every destination must have the `tags` capability (else `UnsupportedError`). */
  tags?: Readonly<Record<string, string>>
}

export interface WriteResult {
  readonly key: string
  readonly kind: Kind
  /** Why the key has this kind. */
  readonly reason: string
  /** The version written at the first destination. */
  readonly version: string | undefined
  readonly results: readonly WriteDestinationResult[]
  /**
   * Providers an older copy was deleted from: the key was written as a different kind than its name
   * says, and reads by name (in any process) would have served that copy first.
   */
  readonly removedFrom?: readonly string[]
}

export interface WriteContext {
  readonly engine: ReadEngine
  readonly allowWrites: boolean
  readonly emit: AccessListener | undefined
}

/** Refuses an operation the provider's capabilities do not declare, with one clear error. */
export function requireCapability(provider: Provider, capability: keyof Capabilities, key?: string): void {
  if (!provider.capabilities[capability])
    throw new UnsupportedError({ provider: provider.name, capability, key })
}

export function requireWritable(ctx: WriteContext, provider: Provider, key: string): void {
  if (!ctx.allowWrites && provider.writable !== true) {
    throw new ReadOnlyError({ key, provider: provider.name })
  }
}

/** Resolves the destinations of a write or delete. */
export function destinations(
  ctx: WriteContext,
  route: Route,
  to: WriteTarget | undefined,
  capability: 'write' | 'delete',
): Provider[] {
  if (to === 'all') {
    // Every provider of the chain that can take the operation (env and other read-only stores are not
    // destinations); each gets its own result.
    const able = route.chain.filter((p) => p.capabilities[capability])
    if (able.length) return able
  } else if (to !== undefined) {
    const names = typeof to === 'string' ? [to] : to
    return names.map((name) => {
      const provider = ctx.engine.providerNamed(name)
      if (!provider)
        throw new ValidationError(`Unknown provider "${name}" in "to".`, {
          key: route.key,
          hint: 'Use the name of a configured provider.',
        })
      return provider
    })
  }
  const first = route.chain.find((p) => p.capabilities[capability])
  if (!first || to === 'all') {
    throw new UnsupportedError({
      key: route.key,
      capability,
      message: `No provider of the ${route.kind} chain for key "${route.key}" supports "${capability}" (${route.chain.map((p) => p.name).join(', ') || 'empty chain'}).`,
    })
  }
  return [first]
}

/**
 * Runs one write or delete at every destination, emits an access event per destination (failures
 * too: an audit log must see refused writes), invalidates the key, and reports each result. `refused`
 * are destinations that failed before any call (a copy the manager may not remove). A single
 * destination's error is rethrown as is; with several, any failure is a `WriteError`.
 */
async function atEach(
  ctx: WriteContext,
  operation: 'set' | 'delete',
  route: Route,
  targets: readonly Provider[],
  op: (provider: Provider) => Promise<string | undefined>,
  refused: readonly WriteDestinationResult[] = [],
): Promise<WriteDestinationResult[]> {
  const results = await runAt(ctx, operation, route, targets, op, refused)
  const failed = results.filter((r) => !r.ok)
  if (failed.length && results.length === 1) throw failed[0]!.error
  if (failed.length) throw new WriteError({ key: route.key, results })
  return results
}

/** {@link atEach} without the verdict: every destination's result, failures included. */
async function runAt(
  ctx: WriteContext,
  operation: 'set' | 'delete',
  route: Route,
  targets: readonly Provider[],
  op: (provider: Provider) => Promise<string | undefined>,
  refused: readonly WriteDestinationResult[],
): Promise<WriteDestinationResult[]> {
  const started = performance.now()
  const done = await Promise.all(
    targets.map(async (provider): Promise<WriteDestinationResult> => {
      try {
        return { provider: provider.name, ok: true, version: await op(provider) }
      } catch (error) {
        return {
          provider: provider.name,
          ok: false,
          error: asPolysecretError(error, route.key, provider.name, route.kind === 'secret'),
        }
      }
    }),
  )
  const results = [...done, ...refused]
  ctx.engine.invalidate(route.key)
  for (const r of results) {
    ctx.emit?.({
      operation,
      key: route.key,
      kind: route.kind,
      provider: r.provider,
      outcome: r.ok ? 'ok' : 'error',
      latencyMs: performance.now() - started,
      cache: 'miss',
      version: r.version,
      errorCode: r.error?.code,
    })
  }
  return results
}

/** Resolves and checks destinations; a refusal (writes off, unknown provider) is reported as an event too. */
function checkedDestinations(
  ctx: WriteContext,
  operation: 'set' | 'delete',
  route: Route,
  to: WriteTarget | undefined,
): Provider[] {
  try {
    const targets = destinations(ctx, route, to, operation === 'set' ? 'write' : 'delete')
    for (const provider of targets) requireWritable(ctx, provider, route.key)
    return targets
  } catch (error) {
    const code = error instanceof PolysecretError ? error.code : undefined
    ctx.emit?.({
      operation,
      key: route.key,
      kind: route.kind,
      outcome: 'error',
      latencyMs: 0,
      cache: 'miss',
      errorCode: code,
    })
    throw error
  }
}

export async function writeValue(
  ctx: WriteContext,
  key: string,
  value: string | Secret,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  assertKey(key)
  const raw = revealValue(value)
  if (typeof raw !== 'string')
    throw new ValidationError(`The value for "${key}" must be a string or a Secret.`, { key })
  const route = ctx.engine.route(key, opts.kind ?? (value instanceof Secret ? 'secret' : undefined), raw)
  if (route.kind === 'secret') rememberSecretValue(raw) // so a store error quoting it is scrubbed
  const targets = checkedDestinations(ctx, 'set', route, opts.to)
  const results = await atEach(ctx, 'set', route, targets, async (provider) => {
    requireCapability(provider, 'write', route.key)
    if (opts.tags) requireCapability(provider, 'tags', route.key)
    const info = await ctx.engine.gate.call(
      provider,
      'set',
      (signal) =>
        provider.set!(route.key, raw, {
          kind: route.kind,
          ifVersion: opts.ifVersion,
          createOnly: opts.createOnly,
          description: opts.description,
          ...(opts.tags && { tags: opts.tags }),
          signal,
        }),
      { key: route.key, retry: false, bytes: () => Buffer.byteLength(raw) },
    )
    return info.version
  })
  const removedFrom = await removeOtherKindCopies(ctx, key, route, targets, results)
  return {
    key: route.key,
    kind: route.kind,
    reason: route.reason,
    version: results[0]?.version,
    results,
    ...(removedFrom.length ? { removedFrom } : {}),
  }
}

/**
 * A key written as another kind than its name says (a `Secret` under a parameter's name, a URL with a
 * password) lands in the other chain, while every process reads it by name from its name's chain
 * first. An older copy there would shadow the write, so it is deleted; a copy the manager cannot
 * delete fails the write with a `WriteError` (the new value is written; the results say where the old
 * one remains). Explicit references (`provider://key`) are left alone.
 */
async function removeOtherKindCopies(
  ctx: WriteContext,
  key: string,
  route: Route,
  written: readonly Provider[],
  results: readonly WriteDestinationResult[],
): Promise<string[]> {
  const byName = ctx.engine.route(key)
  if (route.key !== key || byName.kind === route.kind) return []
  const candidates = byName.chain.filter((p) => !written.some((w) => sameStore(w, p)))
  const holders = await holdersOf(ctx.engine.gate, candidates, key)
  if (holders.length === 0) return []
  // A store whose read failed is deleted at too when it can be: the store then confirms or says why.
  const removable = holders.filter((h) => canDeleteAt(h.provider, ctx.allowWrites))
  const refused = holders
    .filter((h) => !removable.includes(h))
    .map((h) => remainingCopy(h.provider, key, ctx.allowWrites, h.error, 'reads by name serve first'))
  const cleanup = await runAt(
    ctx,
    'delete',
    byName,
    removable.map((h) => h.provider),
    async (provider) => {
      await ctx.engine.gate.call(provider, 'delete', (signal) => provider.delete!(key, { signal }), {
        key,
        retry: false,
      })
      return undefined
    },
    refused,
  )
  if (cleanup.some((r) => !r.ok)) throw new WriteError({ key, results: [...results, ...cleanup] })
  return cleanup.map((r) => r.provider)
}

/**
 * Deletes a key. With `to`, exactly there. Otherwise where it is: at every provider a read of the key
 * would be served from (its chain, and for a parameter-named key the secrets chain after it) that
 * holds it — so a delete never reports success while `get()` still serves the value. A holder the
 * manager may not delete at (env, writes disabled) is reported as a failed destination; a key held
 * nowhere is deleted at the chain's first deletable provider, as a no-op the store confirms.
 */
export async function deleteValue(
  ctx: WriteContext,
  key: string,
  opts: DeleteOptions & { to?: WriteTarget; kind?: Kind } = {},
): Promise<readonly WriteDestinationResult[]> {
  assertKey(key)
  const route = ctx.engine.route(key, opts.kind)
  const op = async (provider: Provider) => {
    requireCapability(provider, 'delete', route.key)
    const options = {
      force: opts.force,
      recoveryWindowDays: opts.recoveryWindowDays,
      ifVersion: opts.ifVersion,
    }
    await ctx.engine.gate.call(
      provider,
      'delete',
      (signal) => provider.delete!(route.key, { ...options, signal }),
      {
        key: route.key,
        retry: false,
      },
    )
    return undefined
  }
  if (opts.to !== undefined)
    return atEach(ctx, 'delete', route, checkedDestinations(ctx, 'delete', route, opts.to), op)
  const readPath = [...route.chain, ...(route.otherChain ?? [])]
  const holders = await holdersOf(ctx.engine.gate, readPath, route.key)
  if (holders.length === 0)
    return atEach(ctx, 'delete', route, checkedDestinations(ctx, 'delete', route, undefined), op)
  // A holder whose read failed is deleted at too when it can be: the store then confirms or says why.
  const deletable = holders.filter((h) => canDeleteAt(h.provider, ctx.allowWrites))
  const refused = holders
    .filter((h) => !deletable.includes(h))
    .map((h) => remainingCopy(h.provider, route.key, ctx.allowWrites, h.error, 'get() would still serve'))
  return atEach(
    ctx,
    'delete',
    route,
    deletable.map((h) => h.provider),
    op,
    refused,
  )
}
