import {
  isPolysecretError,
  type Kind,
  revealValue,
  ValidationError,
  type ValueWithMetadata,
} from '@polysecret/core'
import type { Context, Hono } from 'hono'
import { errorAnswer, errorBody, HttpProblem } from '../http-errors.js'
import type { ServerContext, ServerEnv } from '../server-context.js'

/**
 * The key routes: read one, read many (partial results), list keys, list versions, and — when writes
 * are enabled — write and delete. Keys travel URL-encoded in one path segment
 * (`encodeURIComponent('app/db#password')`). Every answer is `Cache-Control: no-store`; values are
 * revealed only in the body of a successful read, never in an error, an audit line or a metric.
 */

export interface SecretRoutesOptions {
  readonly allowWrites: boolean
  readonly maxBatchKeys: number
}

const KINDS = new Set(['secret', 'parameter'])

export function mountSecretRoutes(app: Hono<ServerEnv>, ctx: ServerContext, o: SecretRoutesOptions): void {
  const { manager } = ctx
  const guard = ctx.authenticate

  app.post('/v1/secrets:batchGet', guard, async (c) => {
    const started = performance.now()
    const body = await jsonBody(c)
    const keys = (body as { keys?: unknown }).keys
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string' && k !== ''))
      throw new ValidationError('batchGet needs { "keys": ["KEY", …] } with at least one key.')
    if (keys.length > o.maxBatchKeys)
      throw new HttpProblem(
        413,
        'TOO_MANY_KEYS',
        `batchGet takes at most ${o.maxBatchKeys} keys; split the request.`,
      )
    const unique = [...new Set(keys as string[])]
    const grants = c.get('grants')
    const allowed = unique.filter((k) => ctx.authorizes(grants, 'read', k))
    const { values, errors } = allowed.length
      ? await manager.getManyWithMetadata(allowed, readOptions(c))
      : { values: {}, errors: {} }
    const latencyMs = performance.now() - started
    const out: Record<string, unknown> = {}
    const failed: Record<string, unknown> = {}
    for (const key of unique) {
      const v = values[key]
      if (v) {
        out[key] = present(v)
        audit(ctx, c, {
          operation: 'batchGet',
          key,
          provider: v.provider,
          outcome: v.cache,
          status: 200,
          latencyMs,
        })
        continue
      }
      const error = errors[key]
      if (error) {
        failed[key] = errorBody(error).error
        audit(ctx, c, {
          operation: 'batchGet',
          key,
          provider: error.provider,
          outcome: 'error',
          errorCode: error.code,
          status: 200,
          latencyMs,
        })
      } else {
        failed[key] = { code: 'FORBIDDEN', message: `Not allowed to read key "${key}".`, key }
        audit(ctx, c, {
          operation: 'batchGet',
          key,
          outcome: 'forbidden',
          errorCode: 'FORBIDDEN',
          status: 200,
          latencyMs,
        })
      }
    }
    return noStore(c.json({ values: out, errors: failed }))
  })

  app.get('/v1/secrets/:key/versions', guard, (c) =>
    keyed(c, ctx, 'versions', 'versions', async (key) => {
      const versions = await manager.versions(key, optionalProvider(c))
      return {
        provider: undefined,
        body: { key, versions: versions.map((v) => ({ ...v, createdAt: v.createdAt?.toISOString() })) },
      }
    }),
  )

  app.get('/v1/secrets/:key', guard, (c) =>
    keyed(c, ctx, 'read', 'get', async (key) => {
      const v = await manager.getWithMetadata(key, readOptions(c))
      return { provider: v.provider, cache: v.cache, body: { key, ...present(v) } }
    }),
  )

  app.get('/v1/keys', guard, async (c) => {
    const started = performance.now()
    const prefix = c.req.query('prefix') ?? ''
    const grants = c.get('grants')
    // Names outside the caller's `list` globs are left out, so a listing reveals nothing more.
    const listed = (await manager.list(prefix)).filter((k) => ctx.authorizes(grants, 'list', k.key))
    ctx.audit.record({
      requestId: c.get('requestId'),
      who: c.get('principal'),
      operation: 'list',
      prefix,
      outcome: 'ok',
      status: 200,
      latencyMs: performance.now() - started,
    })
    return noStore(
      c.json({
        keys: listed.map((k) => ({
          key: k.key,
          kind: k.kind,
          provider: k.provider,
          ...(k.version !== undefined ? { version: k.version } : {}),
          ...(k.updatedAt ? { updatedAt: k.updatedAt.toISOString() } : {}),
        })),
      }),
    )
  })

  if (!o.allowWrites) return

  app.put('/v1/secrets/:key', guard, (c) =>
    keyed(c, ctx, 'write', 'set', async (key) => {
      const body = (await jsonBody(c)) as Record<string, unknown>
      if (typeof body.value !== 'string') throw new ValidationError('PUT needs { "value": "…" } (a string).')
      if (body.kind !== undefined && !KINDS.has(body.kind as string))
        throw new ValidationError('kind must be "secret" or "parameter".')
      const result = await manager.set(key, body.value, {
        ...(body.kind !== undefined ? { kind: body.kind as Kind } : {}),
        ...(typeof body.ifVersion === 'string' ? { ifVersion: body.ifVersion } : {}),
        ...(body.createOnly === true ? { createOnly: true } : {}),
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        ...(typeof body.to === 'string' || Array.isArray(body.to)
          ? { to: body.to as string | string[] }
          : {}),
      })
      const first = result.results[0]
      return {
        provider: first?.provider,
        body: {
          key,
          kind: result.kind,
          version: result.version,
          results: result.results.map(({ provider, ok, version }) => ({ provider, ok, version })),
        },
      }
    }),
  )

  app.delete('/v1/secrets/:key', guard, (c) =>
    keyed(c, ctx, 'delete', 'delete', async (key) => {
      const ifVersion = c.req.query('ifVersion')
      await manager.delete(key, {
        ...(c.req.query('force') === 'true' ? { force: true } : {}),
        ...(ifVersion ? { ifVersion } : {}),
      })
      return { provider: undefined, body: { key, deleted: true } }
    }),
  )
}

/** One key's request: authorize, run, audit (success or failure), answer. */
async function keyed(
  c: Context<ServerEnv>,
  ctx: ServerContext,
  verb: 'read' | 'versions' | 'write' | 'delete',
  operation: string,
  run: (key: string) => Promise<{ provider: string | undefined; cache?: string; body: unknown }>,
): Promise<Response> {
  const started = performance.now()
  const key = c.req.param('key') ?? ''
  try {
    ctx.authorize(c.get('grants'), verb, key)
    const { provider, cache, body } = await run(key)
    audit(ctx, c, {
      operation,
      key,
      provider,
      outcome: cache ?? 'ok',
      status: 200,
      latencyMs: performance.now() - started,
    })
    return noStore(c.json(body as object))
  } catch (error) {
    const status = error instanceof HttpProblem ? error.status : errorAnswer(error).status
    audit(ctx, c, {
      operation,
      key,
      provider: isPolysecretError(error) ? error.provider : undefined,
      outcome: error instanceof HttpProblem ? error.code.toLowerCase() : 'error',
      errorCode:
        error instanceof HttpProblem ? error.code : isPolysecretError(error) ? error.code : 'INTERNAL',
      status,
      latencyMs: performance.now() - started,
    })
    throw error
  }
}

function audit(
  ctx: ServerContext,
  c: Context<ServerEnv>,
  r: {
    operation: string
    key: string
    provider?: string | undefined
    outcome: string
    status: number
    latencyMs: number
    errorCode?: string
  },
): void {
  ctx.audit.record({ requestId: c.get('requestId'), who: c.get('principal'), ...r })
}

/** A value and how it was found, as JSON. The only place a value is revealed. */
function present(v: ValueWithMetadata) {
  return {
    value: revealValue(v.value),
    kind: v.kind,
    provider: v.provider,
    ...(v.version !== undefined ? { version: v.version } : {}),
    ...(v.updatedAt ? { updatedAt: v.updatedAt.toISOString() } : {}),
    labels: v.labels,
    cache: v.cache,
    stale: v.stale,
  }
}

function readOptions(c: Context<ServerEnv>) {
  const version = c.req.query('version')
  const label = c.req.query('label')
  return {
    ...(version ? { version } : {}),
    ...(label ? { label } : {}),
    ...(c.req.query('fresh') === 'true' ? { fresh: true } : {}),
  }
}

function optionalProvider(c: Context<ServerEnv>) {
  const provider = c.req.query('provider')
  return provider ? { provider } : {}
}

async function jsonBody(c: Context<ServerEnv>): Promise<unknown> {
  try {
    const body: unknown = await c.req.json()
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object')
    return body
  } catch {
    throw new ValidationError('The request body must be a JSON object.', {
      hint: 'Send Content-Type: application/json.',
    })
  }
}

function noStore(res: Response): Response {
  res.headers.set('cache-control', 'no-store')
  return res
}
