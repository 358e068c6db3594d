/** What the provider needs of a node-vault client (the calls it makes, nothing more). */
export interface VaultClient {
  read(path: string, requestOptions?: Record<string, unknown>): Promise<unknown>
  write(path: string, data: unknown, requestOptions?: Record<string, unknown>): Promise<unknown>
  list(path: string, requestOptions?: Record<string, unknown>): Promise<unknown>
  delete(path: string, requestOptions?: Record<string, unknown>): Promise<unknown>
}

/** Runs one call with the session's token and maps failures; see `vault-kv.ts`. */
export type Send = <T>(
  call: (client: VaultClient, requestOptions: Record<string, unknown>) => Promise<T>,
) => Promise<T>

/** A secret's data as Vault returned it, with its version where the mount keeps versions. */
export interface KvRecord {
  readonly data: Record<string, unknown>
  readonly version?: string
  readonly updatedAt?: Date
}

/** One version in a KV v2 secret's metadata. */
export interface KvVersion {
  readonly version: string
  readonly createdAt?: Date
  /** Soft-deleted or destroyed: it no longer reads. */
  readonly gone: boolean
}

/** A KV v2 secret's metadata. */
export interface KvMetadata {
  readonly currentVersion: string
  readonly versions: readonly KvVersion[]
}

/** The KV operations, with v1 and v2 paths and shapes behind one face. */
export interface KvEngine {
  readonly version: 1 | 2
  read(path: string, version?: string): Promise<KvRecord | undefined>
  /** Writes `data` as the secret's new data; `cas` only on v2 (0 = create only). */
  write(
    path: string,
    data: Record<string, unknown>,
    cas?: number,
  ): Promise<{ version?: string; updatedAt?: Date }>
  /** Soft-deletes the latest version (v2), or removes the secret (v1). */
  remove(path: string): Promise<void>
  /** Removes every version and the metadata (v2), or the secret (v1). */
  destroy(path: string): Promise<void>
  /** The names in a folder (`''` is the mount's root); folders end in `/`. Empty when there is none. */
  list(folder: string): Promise<string[]>
  /** v2 only. `undefined` when the path has no metadata. */
  metadata(path: string): Promise<KvMetadata | undefined>
}

/** An answer that is not the shape Vault documents; the message names the operation only. */
export class MalformedAnswer extends Error {}

/** Each path segment URL-encoded, so a key can hold any character Vault accepts. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) || d.getTime() <= 0 ? undefined : d
}

function keysOf(answer: unknown, malformed: (what: string) => Error): string[] {
  const keys = record(record(answer)?.data)?.keys
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw malformed('list')
  return keys
}

async function orUndefined<T>(call: Promise<T>, isNotFound: (e: unknown) => boolean): Promise<T | undefined> {
  try {
    return await call
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** The KV engine of a mount at `mount` (no slashes around it). */
export function kvEngine(
  version: 1 | 2,
  mount: string,
  send: Send,
  isNotFound: (e: unknown) => boolean,
  malformed: (what: string) => Error,
): KvEngine {
  const at = (kind: string, path: string) => `${mount}/${kind}${kind === '' ? '' : '/'}${encodePath(path)}`
  const v1 = (path: string) => `${mount}/${encodePath(path)}`
  const listOf = async (target: string) => {
    const answer = await orUndefined(
      send((c, o) => c.list(target, o)),
      isNotFound,
    )
    return answer === undefined ? [] : keysOf(answer, malformed)
  }
  if (version === 1) {
    return {
      version,
      async read(path) {
        const answer = await orUndefined(
          send((c, o) => c.read(v1(path), o)),
          isNotFound,
        )
        if (answer === undefined) return undefined
        const data = record(record(answer)?.data)
        if (data === undefined) throw malformed('read')
        return { data }
      },
      async write(path, data) {
        await send((c, o) => c.write(v1(path), data, o))
        return {}
      },
      async remove(path) {
        await send((c, o) => c.delete(v1(path), o))
      },
      async destroy(path) {
        await send((c, o) => c.delete(v1(path), o))
      },
      list: (folder) => listOf(folder === '' ? `${mount}/` : v1(folder)),
      async metadata() {
        return undefined
      },
    }
  }
  return {
    version,
    async read(path, v) {
      const query = v === undefined ? '' : `?version=${encodeURIComponent(v)}`
      const answer = await orUndefined(
        send((c, o) => c.read(`${at('data', path)}${query}`, o)),
        isNotFound,
      )
      if (answer === undefined) return undefined
      const outer = record(record(answer)?.data)
      const data = record(outer?.data)
      const meta = record(outer?.metadata)
      // A deleted or destroyed version reads as data: null (Vault answers 200 or 404 for it).
      if (outer !== undefined && outer.data === null) return undefined
      if (data === undefined || meta === undefined || typeof meta.version !== 'number')
        throw malformed('read')
      return {
        data,
        version: String(meta.version),
        ...(date(meta.created_time) && { updatedAt: date(meta.created_time)! }),
      }
    },
    async write(path, data, cas) {
      const body = cas === undefined ? { data } : { data, options: { cas } }
      const answer = record(record(await send((c, o) => c.write(at('data', path), body, o)))?.data)
      if (answer === undefined || typeof answer.version !== 'number') throw malformed('write')
      return {
        version: String(answer.version),
        ...(date(answer.created_time) && { updatedAt: date(answer.created_time)! }),
      }
    },
    async remove(path) {
      await send((c, o) => c.delete(at('data', path), o))
    },
    async destroy(path) {
      await send((c, o) => c.delete(at('metadata', path), o))
    },
    list: (folder) => listOf(folder === '' ? `${mount}/metadata/` : at('metadata', folder)),
    async metadata(path) {
      const answer = await orUndefined(
        send((c, o) => c.read(at('metadata', path), o)),
        isNotFound,
      )
      if (answer === undefined) return undefined
      const data = record(record(answer)?.data)
      const versions = record(data?.versions)
      if (data === undefined || versions === undefined || typeof data.current_version !== 'number') {
        throw malformed('metadata')
      }
      return {
        currentVersion: String(data.current_version),
        versions: Object.entries(versions).map(([version, info]) => {
          const v = record(info) ?? {}
          const createdAt = date(v.created_time)
          return {
            version,
            ...(createdAt && { createdAt }),
            gone: v.destroyed === true || date(v.deletion_time) !== undefined,
          }
        }),
      }
    },
  }
}
