import { randomUUID } from 'node:crypto'
import { parseDuration } from './duration.js'
import { Kv1Mount } from './kv1.js'
import { Kv2Mount, type SecretData } from './kv2.js'
import { findMount, type MountConfig } from './routes.js'

/**
 * The data of a Vault fake: the KV mounts (the same table in every namespace, each namespace with
 * its own data), the namespaces that exist, and whether the Vault is sealed.
 */

export type KvMount = Kv1Mount | Kv2Mount

/** The root namespace is `''`; `X-Vault-Namespace: team-a/` and `team-a` name the same one. */
export const normalizeNamespace = (ns: string | undefined) => (ns ?? '').replace(/^\/+|\/+$/g, '')

export class VaultState {
  readonly mounts: ReadonlyMap<string, MountConfig>
  readonly #accessors = new Map<string, string>()
  readonly #data = new Map<string, Map<string, KvMount>>()
  sealed = false

  constructor(
    mounts: Readonly<Record<string, MountConfig>>,
    namespaces: readonly string[],
    private readonly now: () => number,
  ) {
    const table = new Map<string, MountConfig>()
    for (const [path, config] of Object.entries(mounts)) {
      const name = `${path.replace(/^\/+|\/+$/g, '')}/`
      if (name === '/' || /^(sys|auth|identity|cubbyhole)\//.test(name))
        throw new TypeError(`mount path "${path}" is reserved or empty; choose e.g. "secret/" or "kv/"`)
      if (config.version !== 1 && config.version !== 2)
        throw new TypeError(`mount "${name}" needs version 1 or 2, got ${String(config.version)}`)
      table.set(name, config)
      this.#accessors.set(name, `kv_${randomUUID().slice(0, 8)}`)
    }
    this.mounts = table
    this.#data.set('', this.#engines())
    for (const ns of namespaces) this.createNamespace(ns)
  }

  createNamespace(name: string): void {
    const ns = normalizeNamespace(name)
    if (ns === '') throw new TypeError('a namespace needs a name (the root namespace always exists)')
    if (!this.#data.has(ns)) this.#data.set(ns, this.#engines())
  }

  hasNamespace(ns: string): boolean {
    return this.#data.has(normalizeNamespace(ns))
  }

  /** The engine of `mount` in namespace `ns`. */
  engine(ns: string, mount: string): KvMount {
    const engines = this.#data.get(normalizeNamespace(ns))
    const engine = engines?.get(mount)
    if (!engine) throw new TypeError(`no mount "${mount}" in namespace "${ns}"`)
    return engine
  }

  accessor(mount: string): string {
    return this.#accessors.get(mount) ?? ''
  }

  /**
   * Writes `data` at a full path (`secret/app/db`, `kv1/app/db`) without going through the API: a
   * new version on a KV v2 mount, a replacement on KV v1.
   */
  put(path: string, data: SecretData, namespace = ''): void {
    const clean = path.replace(/^\/+/, '')
    const mount = findMount(this.mounts, clean)
    if (!mount)
      throw new TypeError(`no KV mount for "${path}"; mounts: ${[...this.mounts.keys()].join(', ')}`)
    const engine = this.engine(namespace, mount)
    const inner = clean.slice(mount.length)
    if (engine instanceof Kv2Mount) engine.seed(inner, data)
    else engine.write(inner, data)
  }

  #engines(): Map<string, KvMount> {
    const engines = new Map<string, KvMount>()
    for (const [name, config] of this.mounts)
      engines.set(
        name,
        config.version === 1
          ? new Kv1Mount()
          : new Kv2Mount(this.now, {
              maxVersions: config.maxVersions ?? 0,
              casRequired: config.casRequired ?? false,
              deleteVersionAfter: parseDuration('deleteVersionAfter', config.deleteVersionAfter ?? 0),
            }),
      )
    return engines
  }
}
