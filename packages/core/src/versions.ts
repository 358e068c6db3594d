/**
 * Version operations on the provider that serves a key: list versions, roll back, rotate. Rotation is
 * a guarded write (see `writes.ts`).
 */
import { asPolysecretError, entryBytes } from './chain.js'
import { NotFoundError, ValidationError } from './errors.js'
import { type GenerateSpec, generate } from './generate.js'
import { assertKey } from './keys.js'
import type { Kind, Provider, VersionInfo } from './provider.js'
import type { Route } from './read-record.js'
import { revealValue, type Secret } from './secret.js'
import {
  destinations,
  requireCapability,
  requireWritable,
  type WriteContext,
  type WriteOptions,
  writeValue,
} from './writes.js'

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
  // The kind it is served as: a key found by its value or in the secrets chain is written back as one.
  return { provider: ctx.engine.providerNamed(result.provider)!, route: { ...route, kind: result.kind } }
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
    return await ctx.engine.gate.call(provider, 'versions', () => provider.versions!(route.key), {
      key: route.key,
      retry: false,
    })
  } catch (error) {
    throw asPolysecretError(error, route.key, provider.name, route.kind === 'secret')
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
  const gate = ctx.engine.gate
  try {
    let info: VersionInfo
    if (provider.capabilities.rollback && provider.rollback) {
      const rollback = provider.rollback.bind(provider)
      info = await gate.call(provider, 'rollback', () => rollback(route.key, version), {
        key: route.key,
        retry: false,
      })
    } else {
      // No native rollback: write the old value again as a new current version.
      requireCapability(provider, 'write', route.key)
      const old = await gate.call(provider, 'get', (signal) => provider.get(route.key, { version, signal }), {
        key: route.key,
        retry: false,
        bytes: entryBytes,
      })
      if (!old) {
        throw new NotFoundError({
          key: route.key,
          provider: provider.name,
          message: `Version "${version}" of "${route.key}" does not exist in "${provider.name}".`,
        })
      }
      const value = old.value
      info = await gate.call(
        provider,
        'set',
        (signal) => provider.set!(route.key, value, { kind: route.kind, signal }),
        {
          key: route.key,
          retry: false,
          bytes: () => entryBytes(old),
        },
      )
    }
    emitDone(ctx, 'rollback', route, provider.name, started, info.version)
    return info
  } catch (error) {
    throw asPolysecretError(error, route.key, provider.name, route.kind === 'secret')
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
