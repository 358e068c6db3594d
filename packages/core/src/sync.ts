/**
 * `manager.sync()`: distribution of the manager's keys into another system (Kubernetes namespaces
 * today). Core holds only this small contract and the lookup of a target type's package; everything
 * about a destination — its API, selectors, formats, policy — lives in the package that implements
 * the target (`namespaceSync()` in @polysecret/kubernetes). Dependencies so point one way: the target
 * reads through the manager; core never imports the target's package except at run time, from the
 * application, when a plain spec names its type (as declarative provider configs do).
 */
import type { ConfigManager } from './config-manager.js'
import { ValidationError } from './errors.js'
import { importFromApp, packageSearchDirs } from './provider-packages.js'

/** Options of one `manager.sync()` call. */
export interface SyncRunOptions {
  /** Plan only: report what would change (values masked); nothing is written or removed. @default false */
  readonly dryRun?: boolean
  /** Keep running: follow the destination and the source keys, re-syncing on every change. @default false */
  readonly watch?: boolean
  /** Cancels a one-shot pass between API calls. */
  readonly signal?: AbortSignal
  /**
   * The application folder a plain spec's package (e.g. `@polysecret/kubernetes`) is resolved from.
   * @default process.cwd(), then the folder of the main script
   */
  readonly resolveFrom?: string
}

/** A continuous sync started with `{ watch: true }`; stopped by `close()` or by `manager.close()`. */
export interface RunningSync {
  close(): Promise<void>
}

/**
 * A distribution target: reads keys through the manager (`source`) and writes them elsewhere. `run`
 * is one pass (plan, check, apply); `start` runs a first pass and then follows changes until closed.
 */
export interface SyncTarget<Result = unknown, Running extends RunningSync = RunningSync> {
  /** The target's type, e.g. `kubernetes-namespaces`. */
  readonly type: string
  /** The sync's name: it appears in results, audit events and the owner label of what it writes. */
  readonly name: string
  run(source: ConfigManager, options: SyncRunOptions): Promise<Result>
  start(source: ConfigManager, options: SyncRunOptions): Promise<Running>
}

/** A sync described as plain data (JSON/YAML): its target `type` and that target's spec. */
export interface SyncSpecData {
  readonly type: string
  readonly [option: string]: unknown
}

/** Builds a target from its plain spec; a package exports these as `polysecretSyncTargets`. */
export type SyncTargetFactory = (spec: Record<string, unknown>) => SyncTarget

/** Target types that live in other packages, imported only when a spec names one of them. */
const PACKAGE_OF_SYNC_TYPE: Record<string, string> = {
  'kubernetes-namespaces': '@polysecret/kubernetes',
}

function isTarget(value: unknown): value is SyncTarget {
  const t = value as Partial<SyncTarget> | null
  return typeof t === 'object' && t !== null && typeof t.run === 'function' && typeof t.start === 'function'
}

/** The target a `manager.sync()` argument stands for: the target itself, or one built from a plain spec. */
export async function resolveSyncTarget(spec: unknown, resolveFrom: string | undefined): Promise<SyncTarget> {
  if (isTarget(spec)) return spec
  if (spec === null || typeof spec !== 'object' || typeof (spec as SyncSpecData).type !== 'string') {
    throw new ValidationError('sync needs a target (e.g. namespaceSync({ … })) or a spec with a "type".', {
      hint: `Known types: ${Object.keys(PACKAGE_OF_SYNC_TYPE).join(', ')}.`,
    })
  }
  const { type, ...options } = spec as SyncSpecData
  const pkg = PACKAGE_OF_SYNC_TYPE[type]
  if (!pkg) {
    throw new ValidationError(`Unknown sync type "${type}".`, {
      hint: `Known types: ${Object.keys(PACKAGE_OF_SYNC_TYPE).join(', ')}.`,
    })
  }
  const dirs = packageSearchDirs(resolveFrom)
  const mod = (await importFromApp(pkg, dirs)) as
    | { polysecretSyncTargets?: Record<string, SyncTargetFactory> }
    | undefined
  if (!mod) {
    throw new ValidationError(
      `Sync type "${type}" needs the package ${pkg}, which is not installed in the application (looked in ${dirs.join(', ')}).`,
      { hint: `Install it in your app: npm install ${pkg} (or pass resolveFrom: the app's folder).` },
    )
  }
  const factory = mod.polysecretSyncTargets?.[type]
  if (!factory)
    throw new ValidationError(`Package ${pkg} does not provide sync type "${type}".`, {
      hint: `Update ${pkg}.`,
    })
  return factory(options)
}
