import type { protos, SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { ConflictError, NotFoundError, type VersionInfo, withSignal } from '@polysecret/core'
import { callOptions, lastSegment, toDate } from './call.js'
import { isNotFound } from './errors.js'

type ISecretVersion = protos.google.cloud.secretmanager.v1.ISecretVersion

/** A Secret Manager version state. */
export type SecretVersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED'

/** A version as `versions()` reports it: core's VersionInfo plus its state. Labels are its aliases. */
export interface SecretVersionInfo extends VersionInfo {
  /** ENABLED versions can be read; DISABLED ones can be enabled again; DESTROYED ones have no payload. */
  readonly state: SecretVersionState
}

const STATES: Record<number, SecretVersionState> = { 1: 'ENABLED', 2: 'DISABLED', 3: 'DESTROYED' }

/** A version with what rollback needs: number, state and etag. */
export interface StoredVersion {
  readonly number: number
  readonly name: string
  readonly state: SecretVersionState | undefined
  readonly etag: string | undefined
  readonly createdAt: Date | undefined
}

function stored(v: ISecretVersion): StoredVersion | undefined {
  const number = Number(lastSegment(v.name))
  if (!v.name || !Number.isInteger(number)) return undefined
  const state = typeof v.state === 'number' ? STATES[v.state] : (v.state as SecretVersionState | undefined)
  return { number, name: v.name, state, etag: v.etag ?? undefined, createdAt: toDate(v.createTime) }
}

/** What the version operations need from the provider. */
export interface VersionContext {
  readonly client: SecretManagerServiceClient
  /** `projects/{project}/secrets/{id}` */
  readonly secret: string
  readonly key: string
  readonly provider: string
  readonly signal?: AbortSignal | undefined
}

/** Every version of a secret, newest first; `undefined` when the secret does not exist. */
export async function listVersions(ctx: VersionContext): Promise<StoredVersion[] | undefined> {
  const out: StoredVersion[] = []
  try {
    const pages = ctx.client.listSecretVersionsAsync({ parent: ctx.secret, pageSize: 100 }, callOptions())
    for await (const v of pages) {
      const s = stored(v)
      if (s !== undefined) out.push(s)
    }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  return out.sort((a, b) => b.number - a.number)
}

/** The newest ENABLED version: the one `get` returns. */
export function newestEnabled(versions: readonly StoredVersion[] | undefined): StoredVersion | undefined {
  return versions?.find((v) => v.state === 'ENABLED')
}

/** The secret's version aliases (`{ alias: version number }`) and etag; `undefined` when it does not exist. */
export async function secretMeta(
  ctx: VersionContext,
): Promise<{ aliases: Map<number, string[]>; etag: string | undefined } | undefined> {
  try {
    const [secret] = await withSignal(ctx.client.getSecret({ name: ctx.secret }, callOptions()), ctx.signal)
    const aliases = new Map<number, string[]>()
    for (const [alias, version] of Object.entries(secret.versionAliases ?? {})) {
      const n = Number(String(version))
      aliases.set(n, [...(aliases.get(n) ?? []), alias])
    }
    return { aliases, etag: secret.etag ?? undefined }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** Every version with state and aliases, newest first; `current` marks the one `get` returns. */
export async function versionInfos(ctx: VersionContext): Promise<SecretVersionInfo[]> {
  const [meta, versions] = await Promise.all([secretMeta(ctx), listVersions(ctx)])
  if (versions === undefined) return []
  const current = newestEnabled(versions)?.number
  return versions.map((v) => ({
    key: ctx.key,
    version: String(v.number),
    ...(v.createdAt !== undefined && { createdAt: v.createdAt }),
    current: v.number === current,
    labels: meta?.aliases.get(v.number) ?? [],
    state: v.state ?? 'ENABLED',
  }))
}

/**
 * Throws ConflictError unless the version `get` returns now is `expected`. Check-then-write: Secret
 * Manager has no precondition on AddSecretVersion, so a writer racing in the one round trip between
 * this check and the write still wins.
 */
export async function checkCurrent(ctx: VersionContext, expected: string): Promise<void> {
  const current = newestEnabled(await listVersions(ctx))
  const currentVersion = current === undefined ? undefined : String(current.number)
  if (currentVersion !== expected) {
    throw new ConflictError({
      key: ctx.key,
      provider: ctx.provider,
      currentVersion,
      message: `Version conflict on key "${ctx.key}" (provider "${ctx.provider}"): expected ${expected}, current is ${currentVersion ?? 'none (missing)'}.`,
    })
  }
}

/**
 * Makes `version` the one `get` returns by disabling every ENABLED version newer than it (and enabling
 * it if it was disabled). Each state change sends the version's etag, so a version another writer
 * changed meanwhile fails the rollback with ConflictError instead of being overwritten blindly.
 */
export async function rollbackTo(ctx: VersionContext, version: string): Promise<SecretVersionInfo> {
  const versions = await listVersions(ctx)
  const target = versions?.find((v) => String(v.number) === version)
  if (target === undefined) {
    throw new NotFoundError({
      key: ctx.key,
      provider: ctx.provider,
      message: `Key "${ctx.key}" has no version ${version} to roll back to (provider "${ctx.provider}").`,
    })
  }
  if (target.state === 'DESTROYED') {
    throw new ConflictError({
      key: ctx.key,
      provider: ctx.provider,
      message: `Version ${version} of key "${ctx.key}" is destroyed and cannot be restored (provider "${ctx.provider}").`,
    })
  }
  const { client } = ctx
  if (target.state === 'DISABLED') {
    await client.enableSecretVersion({ name: target.name, etag: target.etag }, callOptions())
  }
  for (const v of versions ?? []) {
    if (v.number > target.number && v.state === 'ENABLED') {
      await client.disableSecretVersion({ name: v.name, etag: v.etag }, callOptions())
    }
  }
  const meta = await secretMeta(ctx)
  return {
    key: ctx.key,
    version,
    ...(target.createdAt !== undefined && { createdAt: target.createdAt }),
    current: true,
    labels: meta?.aliases.get(target.number) ?? [],
    state: 'ENABLED',
  }
}
