import {
  AccessDeniedError,
  type ConfigManager,
  mapLimit,
  type PolysecretError,
  PolysecretError as PolysecretErrorClass,
  revealValue,
} from '@polysecret/core'
import { type ApplyContext, applyStep, type SyncChange } from './apply.js'
import { renderSecret, sourceKeyOf, valueRefs } from './formats.js'
import type { SyncApi } from './kube-api.js'
import { type DesiredSecret, desiredSecret, ownerSelector, type SecretObject } from './owned.js'
import { planPass } from './plan.js'
import type { PolicyCheck } from './policy.js'
import type { NamespaceInfo } from './selector.js'
import type { SyncedSecret } from './spec.js'

/**
 * One sync pass: read the source keys through the manager, render each Secret, pick the namespaces,
 * check the policy for every (key, namespace) pair, list our copies, plan, apply. Nothing is written
 * before every check has passed; a source that cannot be read leaves its copies as they are and holds
 * back every deletion of the pass (an outage never deletes or blanks anything).
 */

/** A problem of a pass, with where it happened. Never a value. */
export interface SyncIssue {
  readonly namespace?: string | undefined
  readonly secret?: string | undefined
  readonly keys: readonly string[]
  readonly error: PolysecretError
}

/** What one pass did (or, in a dry run, would do). */
export interface NamespaceSyncResult {
  readonly sync: string
  readonly dryRun: boolean
  /** The namespaces the Secrets go to this pass (selected and allowed). */
  readonly namespaces: readonly string[]
  /** Every create, update, replace and delete, plus what was skipped or held back — not the unchanged. */
  readonly changes: readonly SyncChange[]
  /** Copies already current. */
  readonly unchanged: number
  readonly errors: readonly SyncIssue[]
  /** No errors. */
  readonly ok: boolean
  /** Kubernetes API calls the pass made (retries included). */
  readonly apiCalls: number
  readonly startedAt: string
  readonly durationMs: number
}

export interface PassContext extends ApplyContext {
  readonly secrets: readonly SyncedSecret[]
  readonly api: SyncApi
  readonly matches: (ns: NamespaceInfo) => boolean
  readonly labelSelector: string | undefined
  readonly policy: PolicyCheck
  readonly concurrency: number
  readonly now: () => number
}

export interface PassOptions {
  readonly dryRun: boolean
  /** Refuse the whole pass when the policy refuses any pair (the first pass); else drop just those pairs. */
  readonly strict: boolean
  /** Namespaces as a watch knows them; listed from the API server when absent. */
  readonly namespaces?: readonly NamespaceInfo[] | undefined
  /** Only these namespaces (a watch event's); all when absent. */
  readonly scope?: ReadonlySet<string> | undefined
  /** Stops the pass between API calls (what is written stays written). */
  readonly signal?: AbortSignal | undefined
}

type Built = DesiredSecret | { readonly error: PolysecretError; readonly keys: readonly string[] }

const asError = (error: unknown): PolysecretError =>
  error instanceof PolysecretErrorClass
    ? error
    : new PolysecretErrorClass('Unexpected failure.', { cause: error })

/** Reads every source key once and builds each Secret (or the reason it cannot be built). */
async function buildSecrets(
  ctx: PassContext,
  source: ConfigManager,
): Promise<{ built: Map<string, Built>; readFailed: boolean }> {
  const keys = [
    ...new Set(ctx.secrets.flatMap((s) => Object.values(valueRefs(s)).flatMap((r) => sourceKeyOf(r) ?? []))),
  ]
  const reads = new Map<string, { value: string; version: string | undefined } | PolysecretError>()
  await mapLimit(keys, ctx.concurrency, async (key) => {
    try {
      const read = await source.getWithMetadata(key)
      reads.set(key, { value: String(revealValue(read.value)), version: read.version })
    } catch (error) {
      reads.set(key, asError(error))
    }
  })
  const built = new Map<string, Built>()
  // A key that is gone is an answer; any other failed read may be an outage, which must not delete.
  const readFailed = [...reads.values()].some(
    (r) => r instanceof PolysecretErrorClass && r.code !== 'NOT_FOUND',
  )
  for (const spec of ctx.secrets) {
    const refs = valueRefs(spec)
    const own = [...new Set(Object.values(refs).flatMap((r) => sourceKeyOf(r) ?? []))]
    const failed = own
      .map((k) => reads.get(k))
      .find((r): r is PolysecretError => r instanceof PolysecretErrorClass)
    if (failed) {
      built.set(spec.name, { error: failed, keys: own })
      continue
    }
    const input: Record<string, string> = {}
    const versions: Record<string, string | undefined> = {}
    for (const [field, ref] of Object.entries(refs)) {
      const key = sourceKeyOf(ref)
      if (key === undefined) input[field] = (ref as { value: string }).value
      else {
        const read = reads.get(key) as { value: string; version: string | undefined }
        input[field] = read.value
        versions[key] = read.version
      }
    }
    try {
      built.set(spec.name, desiredSecret(ctx.sync, spec, renderSecret(spec, input), own, versions))
    } catch (error) {
      built.set(spec.name, { error: asError(error), keys: own })
    }
  }
  return { built, readFailed }
}

/** Which Secrets may go to which selected namespace; refusals as issues (or thrown, when strict). */
function decideTargets(
  ctx: PassContext,
  selected: readonly NamespaceInfo[],
  strict: boolean,
  dryRun: boolean,
): { targets: Map<string, Set<string>>; refused: SyncIssue[] } {
  const targets = new Map<string, Set<string>>()
  const refused: SyncIssue[] = []
  for (const ns of selected) {
    const allowed = new Set<string>()
    for (const spec of ctx.secrets) {
      const keys = [...new Set(Object.values(valueRefs(spec)).flatMap((r) => sourceKeyOf(r) ?? []))]
      const why = keys.map((k) => ctx.policy(k, ns.name)).find((w) => w !== undefined)
      if (why === undefined) allowed.add(spec.name)
      else {
        const error = new AccessDeniedError({
          key: keys.join(', '),
          message: `Sync "${ctx.sync}" would send Secret "${spec.name}" to namespace "${ns.name}": ${why}.`,
          hint: 'Narrow namespaceSelector / namespaces, or extend policy.allow (policy.deny always wins).',
        })
        refused.push({ namespace: ns.name, secret: spec.name, keys, error })
      }
    }
    targets.set(ns.name, allowed)
  }
  if (strict && refused.length > 0) {
    if (!dryRun)
      for (const r of refused)
        ctx.audit({
          action: 'create',
          namespace: r.namespace!,
          secret: r.secret!,
          keys: r.keys,
          outcome: 'denied',
        })
    const first = refused[0]!.error
    throw new AccessDeniedError({
      key: first.key,
      message: `Sync "${ctx.sync}" refused before writing anything: ${refused.length} Secret/namespace pair(s) break the distribution policy; first: ${first.message.replace(/\s*Narrow.*$/, '')}`,
      hint: 'Narrow namespaceSelector / namespaces, or extend policy.allow (policy.deny always wins).',
    })
  }
  return { targets, refused }
}

/** Our copies in the pass's namespaces: one list across the cluster, or one per scoped namespace. */
async function listOwned(ctx: PassContext, scope: ReadonlySet<string> | undefined): Promise<SecretObject[]> {
  const selector = ownerSelector(ctx.sync)
  if (scope === undefined) return (await ctx.api.listSecrets(selector)).items
  const lists = await mapLimit([...scope], ctx.concurrency, async (ns) => {
    try {
      return (await ctx.api.listSecrets(selector, ns)).items
    } catch (error) {
      if ((error as PolysecretError).code === 'NOT_FOUND') return [] // the namespace is gone, and its Secrets
      throw error
    }
  })
  return lists.flat()
}

export async function runPass(
  ctx: PassContext,
  source: ConfigManager,
  opts: PassOptions,
): Promise<NamespaceSyncResult> {
  opts.signal?.throwIfAborted()
  const started = ctx.now()
  const callsBefore = Object.values(ctx.api.calls).reduce((a, b) => a + b, 0)
  const all = opts.namespaces ?? (await ctx.api.listNamespaces(ctx.labelSelector)).items
  const inScope = (name: string) => opts.scope === undefined || opts.scope.has(name)
  const selected = all.filter((ns) => inScope(ns.name) && ctx.matches(ns))
  const { targets, refused } = decideTargets(ctx, selected, opts.strict, opts.dryRun)
  opts.signal?.throwIfAborted()
  const { built, readFailed } = await buildSecrets(ctx, source)
  opts.signal?.throwIfAborted()
  const owned = await listOwned(ctx, opts.scope)
  const terminating = new Set(all.filter((ns) => ns.terminating).map((ns) => ns.name))
  const steps = planPass({
    secrets: built,
    targets,
    owned,
    deleteIn: (ns) => inScope(ns) && !terminating.has(ns),
    holdDeletes: readFailed,
  })
  const changes = await mapLimit(
    steps.filter((s) => s.action !== 'unchanged'),
    ctx.concurrency,
    (step) => {
      opts.signal?.throwIfAborted()
      return applyStep(ctx, step, opts.dryRun)
    },
  )
  for (const r of refused)
    if (!opts.dryRun)
      ctx.audit({
        action: 'create',
        namespace: r.namespace!,
        secret: r.secret!,
        keys: r.keys,
        outcome: 'denied',
      })
  const errors: SyncIssue[] = [
    ...refused,
    ...[...built].flatMap(([secret, b]) => ('error' in b ? [{ secret, keys: b.keys, error: b.error }] : [])),
    ...changes.flatMap((c) =>
      c.error && c.outcome !== 'skipped'
        ? [{ namespace: c.namespace, secret: c.secret, keys: c.keys, error: c.error }]
        : [],
    ),
  ]
  return {
    sync: ctx.sync,
    dryRun: opts.dryRun,
    namespaces: [...targets.keys()].sort(),
    changes,
    unchanged: steps.length - changes.length,
    errors,
    ok: errors.length === 0,
    apiCalls: Object.values(ctx.api.calls).reduce((a, b) => a + b, 0) - callsBefore,
    startedAt: new Date(started).toISOString(),
    durationMs: ctx.now() - started,
  }
}
