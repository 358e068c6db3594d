import { ConflictError, type PolysecretError, ValidationError } from '@polysecret/core'
import type { SyncApi } from './kube-api.js'
import {
  type DesiredSecret,
  isOwnedBy,
  MANAGED_BY,
  MANAGER,
  type SecretObject,
  SYNC_LABEL,
  toObject,
  updatedObject,
} from './owned.js'
import type { PlannedAction, PlanStep } from './plan.js'
import type { SyncAuditEvent } from './spec.js'

/**
 * Carries out one plan step against the API server, with the Kubernetes rules: an object without our
 * owner labels is never changed or deleted (a typed `ConflictError` for that namespace instead); an
 * immutable copy, or one of another type, is replaced (delete with preconditions, then create) rather
 * than patched; an update is conditional on the resourceVersion we read, and a lost race is read
 * again once. Every write, replacement and removal is audited — key names and outcome, never a value.
 */

/** How one planned step ended. */
export type ChangeOutcome = 'ok' | 'planned' | 'error' | 'conflict' | 'skipped' | 'held'

/** One change of a pass: which Secret where, what was (or would be) done, the masked diff, the outcome. */
export interface SyncChange {
  readonly action: Exclude<PlannedAction, 'unchanged'>
  readonly namespace: string
  readonly secret: string
  readonly keys: readonly string[]
  readonly outcome: ChangeOutcome
  readonly diff?: PlanStep['diff']
  readonly error?: PolysecretError | undefined
}

export interface ApplyContext {
  readonly sync: string
  readonly api: SyncApi
  readonly audit: (event: Omit<SyncAuditEvent, 'sync' | 'at'>) => void
}

function notOurs(ctx: ApplyContext, step: PlanStep): ConflictError {
  return new ConflictError({
    key: step.keys.join(', '),
    message: `Secret "${step.namespace}/${step.secret}" exists and is not managed by sync "${ctx.sync}": left untouched.`,
    hint: `Rename the synced Secret, or remove the existing one (or label it ${MANAGED_BY}=${MANAGER} and ${SYNC_LABEL}=${ctx.sync}) to let the sync take it over.`,
  })
}

const code = (error: unknown) => (error as PolysecretError | undefined)?.code

async function create(
  ctx: ApplyContext,
  step: PlanStep,
  desired: DesiredSecret,
  retry = true,
): Promise<void> {
  try {
    await ctx.api.createSecret(step.namespace, toObject(desired, step.namespace))
  } catch (error) {
    if (code(error) !== 'CONFLICT' || !retry) throw error
    // Someone created it since we listed: take it only if it is ours.
    const current = await ctx.api.readSecret(step.namespace, step.secret)
    if (!current) return create(ctx, step, desired, false)
    if (!isOwnedBy(current, ctx.sync)) throw notOurs(ctx, step)
    await update(ctx, step, desired, current, false)
  }
}

async function replace(
  ctx: ApplyContext,
  step: PlanStep,
  desired: DesiredSecret,
  current: SecretObject,
): Promise<void> {
  try {
    await ctx.api.deleteSecret(step.namespace, current)
  } catch (error) {
    if (code(error) !== 'NOT_FOUND') throw error
  }
  await ctx.api.createSecret(step.namespace, toObject(desired, step.namespace))
}

async function update(
  ctx: ApplyContext,
  step: PlanStep,
  desired: DesiredSecret,
  current: SecretObject,
  retry = true,
): Promise<'update' | 'replace'> {
  if (current.immutable === true || (current.type ?? 'Opaque') !== desired.type) {
    await replace(ctx, step, desired, current)
    return 'replace'
  }
  try {
    await ctx.api.replaceSecret(step.namespace, updatedObject(current, desired))
    return 'update'
  } catch (error) {
    const lost = code(error) === 'CONFLICT'
    // 422: made immutable (or retyped) since we read it — read again and replace instead.
    const refused = error instanceof ValidationError
    if (!retry || !(lost || refused)) throw error
    const fresh = await ctx.api.readSecret(step.namespace, step.secret)
    if (!fresh) {
      await create(ctx, step, desired, false)
      return 'update'
    }
    if (!isOwnedBy(fresh, ctx.sync)) throw notOurs(ctx, step)
    return update(ctx, step, desired, fresh, false)
  }
}

async function remove(ctx: ApplyContext, step: PlanStep, current: SecretObject): Promise<void> {
  try {
    await ctx.api.deleteSecret(step.namespace, current)
  } catch (error) {
    // Gone already is what we wanted; changed since we listed (409) is left for the next pass.
    if (code(error) !== 'NOT_FOUND') throw error
  }
}

/** Applies a step (or, in a dry run, reports it as planned). `unchanged` steps are not passed here. */
export async function applyStep(ctx: ApplyContext, step: PlanStep, dryRun: boolean): Promise<SyncChange> {
  const action = step.action as SyncChange['action']
  const base = { action, namespace: step.namespace, secret: step.secret, keys: step.keys, diff: step.diff }
  if (action === 'skip') return { ...base, outcome: 'skipped', error: step.error }
  if (action === 'hold') return { ...base, outcome: 'held' }
  if (dryRun) return { ...base, outcome: 'planned' }
  let done: SyncChange['action'] = action
  try {
    if (action === 'create') await create(ctx, step, step.desired!)
    else if (action === 'delete') await remove(ctx, step, step.current!)
    else if (action === 'replace') await replace(ctx, step, step.desired!, step.current!)
    else done = await update(ctx, step, step.desired!, step.current!)
    ctx.audit({
      action: done,
      namespace: step.namespace,
      secret: step.secret,
      keys: step.keys,
      outcome: 'ok',
    })
    return { ...base, action: done, outcome: 'ok' }
  } catch (error) {
    const mapped = error as PolysecretError
    const outcome = mapped instanceof ConflictError ? 'conflict' : 'error'
    ctx.audit({
      action: done,
      namespace: step.namespace,
      secret: step.secret,
      keys: step.keys,
      outcome,
      errorCode: mapped.code,
    })
    return { ...base, outcome, error: mapped }
  }
}
