import { asPolysecretError } from './chain.js'
import {
  NotFoundError,
  PolysecretError,
  ReadOnlyError,
  UnsupportedError,
  ValidationError,
  type WriteDestinationResult,
  WriteError,
} from './errors.js'
import type { AccessListener } from './events.js'
import { type GenerateSpec, generate } from './generate.js'
import type { Capabilities, DeleteOptions, Kind, Provider, VersionInfo } from './provider.js'
import { assertKey, type ReadEngine, type Route } from './read-engine.js'
import { rememberSecretValue, revealValue, Secret } from './secret.js'

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
}

export interface WriteResult {
  readonly key: string
  readonly kind: Kind
  /** Why the key has this kind. */
  readonly reason: string
  /** The version written at the first destination. */
  readonly version: string | undefined
  readonly results: readonly WriteDestinationResult[]
}

export interface RotateResult {
  readonly key: string
  readonly provider: string
  /** The version that was current before the rotation (`undefined` when the key was created). */
  readonly previousVersion: string | undefined
  /** The version the rotation wrote — the same names a watch listener gets. */
  readonly newVersion: string | undefined
  /** Same as `newVersion`, as in every other write result. */
  readonly version: string | undefined
}

export type RotateOptions = ({ value: string | Secret } | { generate: GenerateSpec }) &
  Omit<WriteOptions, 'ifVersion' | 'createOnly'>

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

function requireWritable(ctx: WriteContext, provider: Provider, key: string): void {
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
 * too: an audit log must see refused writes), invalidates the key, and reports each result. A single
 * destination's error is rethrown as is; with several, any failure is a `WriteError`.
 */
async function atEach(
  ctx: WriteContext,
  operation: 'set' | 'delete',
  route: Route,
  targets: readonly Provider[],
  op: (provider: Provider) => Promise<string | undefined>,
): Promise<WriteDestinationResult[]> {
  const started = performance.now()
  const results = await Promise.all(
    targets.map(async (provider): Promise<WriteDestinationResult> => {
      try {
        return { provider: provider.name, ok: true, version: await op(provider) }
      } catch (error) {
        return {
          provider: provider.name,
          ok: false,
          error: asPolysecretError(error, route.key, provider.name),
        }
      }
    }),
  )
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
  const failed = results.filter((r) => !r.ok)
  if (failed.length && targets.length === 1) throw failed[0]!.error
  if (failed.length) throw new WriteError({ key: route.key, results })
  return results
}

/** Reports a finished rollback or rotation (never the value). */
function emitDone(
  ctx: WriteContext,
  operation: 'rollback' | 'rotate',
  target: { key: string; kind: Kind },
  provider: string,
  started: number,
  version: string | undefined,
): void {
  ctx.emit?.({
    operation,
    key: target.key,
    kind: target.kind,
    provider,
    outcome: 'ok',
    latencyMs: performance.now() - started,
    cache: 'miss',
    version,
  })
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
    const info = await provider.set!(route.key, raw, {
      kind: route.kind,
      ifVersion: opts.ifVersion,
      createOnly: opts.createOnly,
      description: opts.description,
    })
    return info.version
  })
  return { key: route.key, kind: route.kind, reason: route.reason, version: results[0]?.version, results }
}

export async function deleteValue(
  ctx: WriteContext,
  key: string,
  opts: DeleteOptions & { to?: WriteTarget; kind?: Kind } = {},
): Promise<readonly WriteDestinationResult[]> {
  assertKey(key)
  const route = ctx.engine.route(key, opts.kind)
  const targets = checkedDestinations(ctx, 'delete', route, opts.to)
  return atEach(ctx, 'delete', route, targets, async (provider) => {
    requireCapability(provider, 'delete', route.key)
    await provider.delete!(route.key, {
      force: opts.force,
      recoveryWindowDays: opts.recoveryWindowDays,
      ifVersion: opts.ifVersion,
    })
    return undefined
  })
}

/** The provider that currently serves a key (or the one named), for version operations. */
async function servingProvider(
  ctx: WriteContext,
  key: string,
  providerName: string | undefined,
): Promise<{ provider: Provider; route: Route }> {
  const route = ctx.engine.route(key)
  if (providerName) {
    const provider = ctx.engine.providerNamed(providerName)
    if (!provider) throw new ValidationError(`Unknown provider "${providerName}".`, { key })
    return { provider, route }
  }
  const result = await ctx.engine.read(key, { fresh: true })
  return { provider: ctx.engine.providerNamed(result.provider)!, route }
}

export async function listVersions(
  ctx: WriteContext,
  key: string,
  opts: { provider?: string } = {},
): Promise<VersionInfo[]> {
  assertKey(key)
  const { provider, route } = await servingProvider(ctx, key, opts.provider)
  requireCapability(provider, 'versions', route.key)
  try {
    return await provider.versions!(route.key)
  } catch (error) {
    throw asPolysecretError(error, route.key, provider.name)
  }
}

export async function rollbackValue(
  ctx: WriteContext,
  key: string,
  version: string,
  opts: { provider?: string } = {},
): Promise<VersionInfo> {
  assertKey(key)
  if (typeof version !== 'string' || version === '')
    throw new ValidationError('rollback needs the version to make current.', { key })
  const started = performance.now()
  const { provider, route } = await servingProvider(ctx, key, opts.provider)
  requireWritable(ctx, provider, route.key)
  requireCapability(provider, 'versions', route.key)
  try {
    let info: VersionInfo
    if (provider.capabilities.rollback && provider.rollback) {
      info = await provider.rollback(route.key, version)
    } else {
      // No native rollback: write the old value again as a new current version.
      requireCapability(provider, 'write', route.key)
      const old = await provider.get(route.key, { version })
      if (!old) {
        throw new NotFoundError({
          key: route.key,
          provider: provider.name,
          message: `Version "${version}" of "${route.key}" does not exist in "${provider.name}".`,
        })
      }
      info = await provider.set!(route.key, old.value, { kind: route.kind })
    }
    emitDone(ctx, 'rollback', route, provider.name, started, info.version)
    return info
  } catch (error) {
    throw error instanceof PolysecretError ? error : asPolysecretError(error, route.key, provider.name)
  } finally {
    ctx.engine.invalidate(route.key)
  }
}

export async function rotateValue(
  ctx: WriteContext,
  key: string,
  opts: RotateOptions,
): Promise<RotateResult> {
  assertKey(key)
  const started = performance.now()
  const next = 'generate' in opts ? generate(opts.generate) : revealValue(opts.value)
  if (typeof next !== 'string')
    throw new ValidationError(`rotate needs a string value or a generator for "${key}".`, { key })
  const kind = opts.kind ?? 'secret'
  const targets = destinations(ctx, ctx.engine.route(key, kind), opts.to, 'write')
  let previous: { version: string | undefined; provider: string } | undefined
  try {
    previous = await ctx.engine.read(key, { fresh: true, kind })
  } catch (error) {
    // Rotating a key that does not exist yet creates it; any other failure stops the rotation.
    if (!(error instanceof NotFoundError)) throw error
  }
  const previousVersion = previous?.version
  // Guard against a concurrent rotation, but only when the version read is the destination's own.
  const sameStore = targets.length === 1 && previous?.provider === targets[0]!.name
  const written = await writeValue(ctx, key, next, {
    ...opts,
    kind,
    ifVersion: sameStore ? previousVersion : undefined,
  })
  const result = {
    key: written.key,
    provider: written.results[0]!.provider,
    previousVersion,
    newVersion: written.version,
    version: written.version,
  }
  emitDone(ctx, 'rotate', written, result.provider, started, written.version)
  return result
}
