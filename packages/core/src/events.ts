import type { CacheState } from './cache.js'
import type { Kind } from './provider.js'
import type { StaleReason } from './read-record.js'

/** What was done. */
export type AccessOperation = 'get' | 'set' | 'delete' | 'rollback' | 'rotate' | 'versions' | 'watch'

/** How it ended. `stale` means a stale value was served (revalidating, or because every provider failed). */
export type AccessOutcome = 'hit' | 'miss' | 'stale' | 'not-found' | 'error' | 'ok' | 'changed'

/**
 * One access, as reported to `onAccess`. Carries the key, never the value — the audit log and metrics
 * hang off this.
 */
export interface AccessEvent {
  readonly operation: AccessOperation
  readonly key: string
  readonly kind: Kind
  /** The provider that served or was written; absent when served from cache without a provider call. */
  readonly provider?: string | undefined
  readonly outcome: AccessOutcome
  readonly latencyMs: number
  readonly cache: CacheState
  /** Why a stale value was served, when `outcome` is `stale` (`'snapshot'`: from the offline snapshot). */
  readonly staleReason?: StaleReason | undefined
  /** The version served or written, when the store reports one. */
  readonly version?: string | undefined
  /** The error code when `outcome` is `error`. */
  readonly errorCode?: string | undefined
  /**
   * Set when the manager decided something the key's name did not say: a read of a parameter-named
   * key whose value is a credential (served as a secret), or found only in the secrets chain; a write
   * that left an older copy another process would read. Says what to do; never carries a value.
   */
  readonly warning?: string | undefined
}

export type AccessListener = (event: AccessEvent) => void

/** Calls every listener; a throwing listener never breaks the read that triggered it. */
export function makeEmitter(
  listeners: AccessListener | readonly AccessListener[] | undefined,
): AccessListener | undefined {
  const list =
    listeners === undefined ? [] : Array.isArray(listeners) ? [...listeners] : [listeners as AccessListener]
  if (list.length === 0) return undefined
  return (event) => {
    for (const listener of list) {
      try {
        listener(event)
      } catch {
        // A broken audit hook must not take the service down; it sees the next event anyway.
      }
    }
  }
}
