/**
 * Which operation a Vault request is: its name (for the request log and fault scopes), the engine
 * and the path inside the mount. Names are `<engine>.<action>`: `kv2.read`, `kv2.write`,
 * `kv1.list`, `token.renew-self`, `approle.login`, `sys.health` …
 */

export interface MountConfig {
  /** KV version of the mount. */
  readonly version: 1 | 2
  readonly description?: string
  /** KV v2: versions kept per secret (0 = Vault's default, 10). */
  readonly maxVersions?: number
  /** KV v2: every write needs `options.cas`. */
  readonly casRequired?: boolean
  /** KV v2: seconds (or a duration) after which new versions are deleted; 0 = never. */
  readonly deleteVersionAfter?: number | string
}

export type Route =
  | { readonly kind: 'sys'; readonly operation: string; readonly rest: string }
  | { readonly kind: 'auth'; readonly operation: string }
  | { readonly kind: 'kv1'; readonly operation: string; readonly mount: string; readonly path: string }
  | {
      readonly kind: 'kv2'
      readonly operation: string
      readonly mount: string
      /** `data`, `metadata`, `delete`, `undelete`, `destroy`, `config`. */
      readonly section: string
      readonly path: string
    }
  | { readonly kind: 'none'; readonly operation: 'unknown' }

const KV2_SECTIONS = new Set(['data', 'metadata', 'delete', 'undelete', 'destroy', 'config'])

/** The mount (with its trailing `/`) that `path` falls under: the longest matching one. */
export function findMount(mounts: ReadonlyMap<string, MountConfig>, path: string): string | undefined {
  let best: string | undefined
  for (const m of mounts.keys())
    if ((path.startsWith(m) || `${path}/` === m) && (!best || m.length > best.length)) best = m
  return best
}

function verb(method: string, list: boolean): string {
  if (method === 'LIST' || (method === 'GET' && list)) return 'list'
  if (method === 'GET' || method === 'HEAD') return 'read'
  if (method === 'POST' || method === 'PUT') return 'write'
  if (method === 'PATCH') return 'patch'
  if (method === 'DELETE') return 'delete'
  return 'unsupported'
}

/** Routes `path` (after `/v1/`, no leading slash) for `method`. */
export function route(
  mounts: ReadonlyMap<string, MountConfig>,
  method: string,
  path: string,
  list: boolean,
): Route {
  const v = verb(method, list)
  if (path === 'sys/health') return { kind: 'sys', operation: 'sys.health', rest: path }
  if (path === 'sys/seal-status') return { kind: 'sys', operation: 'sys.seal-status', rest: path }
  if (path === 'sys/mounts') return { kind: 'sys', operation: 'sys.mounts', rest: path }
  if (path.startsWith('sys/internal/ui/mounts/'))
    return { kind: 'sys', operation: 'sys.ui-mount', rest: path.slice('sys/internal/ui/mounts/'.length) }
  const auth: Record<string, string> = {
    'auth/token/lookup-self': 'token.lookup-self',
    'auth/token/renew-self': 'token.renew-self',
    'auth/token/revoke-self': 'token.revoke-self',
    'auth/token/create': 'token.create',
    'auth/approle/login': 'approle.login',
    'auth/kubernetes/login': 'kubernetes.login',
  }
  if (auth[path]) return { kind: 'auth', operation: auth[path] }
  const mount = findMount(mounts, path)
  if (!mount) return { kind: 'none', operation: 'unknown' }
  const rest = path.slice(mount.length)
  if (mounts.get(mount)!.version === 1) return { kind: 'kv1', operation: `kv1.${v}`, mount, path: rest }
  const slash = rest.indexOf('/')
  const section = slash === -1 ? rest : rest.slice(0, slash)
  const inner = slash === -1 ? '' : rest.slice(slash + 1)
  if (!KV2_SECTIONS.has(section)) return { kind: 'none', operation: 'unknown' }
  const operation =
    section === 'data'
      ? `kv2.${v}`
      : section === 'metadata'
        ? v === 'list'
          ? 'kv2.list'
          : `kv2.${v}-metadata`
        : section === 'config'
          ? `kv2.${v}-config`
          : `kv2.${section === 'delete' ? 'delete-versions' : section}`
  return { kind: 'kv2', operation, mount, section, path: inner }
}
