import type { PolysecretError } from '@polysecret/core'
import {
  type DesiredSecret,
  isCurrent,
  type MaskedDiff,
  maskedDiff,
  type SecretObject,
  SOURCE_KEYS,
} from './owned.js'

/**
 * One pass's plan: for every selected namespace and every synced Secret, what to do — create, update
 * in place, replace (delete + create, when the current copy is immutable or of another type: the API
 * server refuses to patch either), leave alone — and which of our copies to delete because their
 * namespace no longer matches or their Secret left the spec. Pure: no API calls, so a dry run is the
 * same plan, only not applied.
 */

/** `skip`: the Secret could not be built (source unreadable), its copy keeps its last value. `hold`: a
 * deletion held back while a source read fails. */
export type PlannedAction = 'create' | 'update' | 'replace' | 'delete' | 'unchanged' | 'skip' | 'hold'

export interface PlanStep {
  readonly action: PlannedAction
  readonly namespace: string
  readonly secret: string
  readonly keys: readonly string[]
  readonly desired?: DesiredSecret | undefined
  readonly current?: SecretObject | undefined
  readonly diff?: MaskedDiff | undefined
  /** Why a step is skipped (its source could not be read or rendered): the copy keeps its last value. */
  readonly error?: PolysecretError | undefined
}

export interface PlanInput {
  /** Every synced Secret by name: what it should be, or why it cannot be built this pass. */
  readonly secrets: ReadonlyMap<
    string,
    DesiredSecret | { readonly error: PolysecretError; readonly keys: readonly string[] }
  >
  /** Namespaces the Secrets go to, each with the Secret names allowed there (the policy decided). */
  readonly targets: ReadonlyMap<string, ReadonlySet<string>>
  /** Our copies in the namespaces this pass looks at. */
  readonly owned: readonly SecretObject[]
  /**
   * Namespaces this pass may delete from (a scoped pass looks only at some), and whether deletion is
   * held back: while a source read fails, nothing is deleted.
   */
  readonly deleteIn: (namespace: string) => boolean
  readonly holdDeletes: boolean
}

const keysOf = (obj: SecretObject) =>
  (obj.metadata.annotations?.[SOURCE_KEYS] ?? '').split(',').filter((k) => k !== '')

export function planPass(input: PlanInput): PlanStep[] {
  const steps: PlanStep[] = []
  const ownedAt = new Map<string, SecretObject>()
  for (const obj of input.owned) ownedAt.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj)

  for (const [namespace, allowed] of input.targets) {
    for (const [name, want] of input.secrets) {
      if (!allowed.has(name)) continue
      const current = ownedAt.get(`${namespace}/${name}`)
      ownedAt.delete(`${namespace}/${name}`)
      if ('error' in want) {
        steps.push({ action: 'skip', namespace, secret: name, keys: want.keys, current, error: want.error })
        continue
      }
      if (!current) {
        steps.push({
          action: 'create',
          namespace,
          secret: name,
          keys: want.keys,
          desired: want,
          diff: maskedDiff(undefined, want),
        })
        continue
      }
      if (isCurrent(current, want)) {
        steps.push({ action: 'unchanged', namespace, secret: name, keys: want.keys, desired: want, current })
        continue
      }
      const diff = maskedDiff(current, want)
      const replace = current.immutable === true || (current.type ?? 'Opaque') !== want.type
      steps.push({
        action: replace ? 'replace' : 'update',
        namespace,
        secret: name,
        keys: want.keys,
        desired: want,
        current,
        diff,
      })
    }
  }
  // What is left of our copies is no longer wanted where it is.
  for (const current of ownedAt.values()) {
    const namespace = current.metadata.namespace ?? ''
    if (!input.deleteIn(namespace)) continue
    const step = {
      namespace,
      secret: current.metadata.name,
      keys: keysOf(current),
      current,
      diff: maskedDiff(current, undefined),
    }
    steps.push({ ...step, action: input.holdDeletes ? 'hold' : 'delete' })
  }
  return steps
}
