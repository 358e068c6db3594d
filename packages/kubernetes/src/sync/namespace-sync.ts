import { type ConfigManager, type SyncRunOptions, type SyncTarget, ValidationError } from '@polysecret/core'
import { type RunningNamespaceSync, startContinuous } from './continuous.js'
import { syncApi } from './kube-api.js'
import { type NamespaceSyncResult, type PassContext, runPass } from './pass.js'
import { compilePolicy } from './policy.js'
import { namespaceMatcher, toLabelSelector } from './selector.js'
import type { NamespaceSyncSpec, SyncAuditEvent } from './spec.js'
import { checkSpec } from './spec-check.js'
import { type NamespaceSyncStats, SyncStatsRecorder } from './stats.js'

/** A namespace sync, ready for `manager.sync(target)`; its counters are in `stats()`. */
export interface NamespaceSyncTarget extends SyncTarget<NamespaceSyncResult, RunningNamespaceSync> {
  readonly type: 'kubernetes-namespaces'
  /** Counters and propagation lag of every pass this target ran (one-shot and continuous). */
  stats(): NamespaceSyncStats
}

/**
 * Distributes keys from the manager's stores into Kubernetes Secrets in every namespace a selector
 * picks — the job of External Secrets' ClusterExternalSecret or kubernetes-reflector, from any store.
 * Typed Secrets (Opaque, dockerconfigjson, tls, basic-auth) and templates (Argo CD repository, Git
 * credential) from one set of keys; owner labels on every copy; copies removed from namespaces that
 * stop matching; a distribution policy checked before anything is written; every write audited.
 *
 * @example
 * ```ts
 * import { namespaceSync } from '@polysecret/kubernetes'
 *
 * const registry = namespaceSync({
 *   name: 'registry',
 *   namespaceSelector: { matchLabels: { 'pull-secrets': 'ghcr' } },
 *   secrets: [
 *     { name: 'ghcr', format: 'dockerconfigjson', registry: { value: 'ghcr.io' }, username: 'GHCR_USER', password: 'GHCR_TOKEN' },
 *   ],
 * })
 * const result = await manager.sync(registry)                    // one pass
 * const plan = await manager.sync(registry, { dryRun: true })    // masked diff, nothing written
 * const running = await manager.sync(registry, { watch: true })  // follow namespaces and keys
 * ```
 */
export function namespaceSync(spec: NamespaceSyncSpec): NamespaceSyncTarget {
  checkSpec(spec)
  const now = spec.now ?? Date.now
  const api = syncApi(`sync:${spec.name}`, spec)
  const stats = new SyncStatsRecorder(spec.name, api.calls)
  const onAudit = spec.onAudit
  const ctx: PassContext = {
    sync: spec.name,
    secrets: [...spec.secrets],
    api,
    matches: namespaceMatcher(spec.namespaceSelector, spec.namespaces),
    labelSelector: toLabelSelector(spec.namespaceSelector),
    policy: compilePolicy(spec.policy),
    concurrency: spec.concurrency ?? 16,
    now,
    audit: (event) => {
      if (!onAudit) return
      const line: SyncAuditEvent = { sync: spec.name, ...event, at: new Date(now()).toISOString() }
      try {
        onAudit(line)
      } catch {
        // A broken audit hook must not stop the distribution; it sees the next event anyway.
      }
    },
  }
  return {
    type: 'kubernetes-namespaces',
    name: spec.name,
    stats: () => stats.snapshot(),

    async run(source: ConfigManager, options: SyncRunOptions = {}): Promise<NamespaceSyncResult> {
      const dryRun = options.dryRun === true
      try {
        const result = await runPass(ctx, source, { dryRun, strict: true, signal: options.signal })
        stats.record(result, now())
        return result
      } catch (error) {
        if (!dryRun) stats.failed(now(), (error as { code?: string }).code === 'ACCESS_DENIED')
        throw error
      }
    },

    async start(source: ConfigManager, options: SyncRunOptions = {}): Promise<RunningNamespaceSync> {
      if (options.dryRun)
        throw new ValidationError(`Sync "${spec.name}": dryRun and watch cannot be combined.`, {
          hint: 'Run { dryRun: true } once to see the plan, then { watch: true } to apply and follow.',
        })
      return startContinuous(ctx, source, {
        sourceInterval: spec.sourceInterval ?? 30_000,
        resyncInterval: spec.resyncInterval ?? 300_000,
        retry: spec.retry ?? {},
        stats,
        onError: spec.onError ?? (() => undefined),
      })
    },
  }
}
