import type { ParameterManagerClient } from '@google-cloud/parametermanager'
import { ConflictError, NotFoundError, type VersionInfo, withSignal } from '@polysecret/core'
import { callOptions, lastSegment, toDate } from './call.js'
import { isNotFound } from './errors.js'

/** A parameter version as `versions()` reports it: core's VersionInfo plus whether it is disabled. */
export interface ParameterVersionInfo extends VersionInfo {
  /** A disabled version keeps its payload but cannot be rendered or read. */
  readonly disabled: boolean
}

/** A listed version: what reads, writes and rollback need. */
export interface ListedVersion {
  readonly id: string
  readonly name: string
  readonly disabled: boolean
  readonly createdAt: Date | undefined
  /** Listing position, to order versions created within one clock tick. */
  readonly index: number
}

/** What the version operations need from the provider. */
export interface ParameterContext {
  readonly client: ParameterManagerClient
  /** `projects/{project}/locations/{location}/parameters/{id}` */
  readonly parameter: string
  readonly key: string
  readonly provider: string
  readonly signal?: AbortSignal | undefined
}

/** The number of a version id polysecret wrote (`v12` → 12); `undefined` for ids written by others. */
export function versionNumber(id: string): number | undefined {
  const m = /^v(\d{1,15})$/.exec(id)
  return m ? Number(m[1]) : undefined
}

/** Every version of a parameter, newest first; `undefined` when the parameter does not exist. */
export async function listParameterVersions(ctx: ParameterContext): Promise<ListedVersion[] | undefined> {
  const out: ListedVersion[] = []
  try {
    const pages = ctx.client.listParameterVersionsAsync(
      { parent: ctx.parameter, pageSize: 1000 },
      callOptions(),
    )
    for await (const v of pages) {
      const id = lastSegment(v.name)
      if (!v.name || id === undefined) continue
      out.push({
        id,
        name: v.name,
        disabled: v.disabled === true,
        createdAt: toDate(v.createTime),
        index: out.length,
      })
    }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  // Newest first: by creation time, then by polysecret's version number, then by listing order.
  const time = (v: ListedVersion) => v.createdAt?.getTime() ?? 0
  return out.sort(
    (a, b) =>
      time(b) - time(a) || (versionNumber(b.id) ?? -1) - (versionNumber(a.id) ?? -1) || b.index - a.index,
  )
}

/** The newest version that is not disabled: the one `get` returns. */
export function currentVersion(versions: readonly ListedVersion[] | undefined): ListedVersion | undefined {
  return versions?.find((v) => !v.disabled)
}

/**
 * The id of the next version polysecret writes: `v<n+1>` after the highest `v<n>`. Deterministic, so
 * two writers racing from the same state pick the same id and one of them gets ALREADY_EXISTS.
 */
export function nextVersionId(versions: readonly ListedVersion[] | undefined): string {
  let max = 0
  for (const v of versions ?? []) max = Math.max(max, versionNumber(v.id) ?? 0)
  return `v${max + 1}`
}

/** Versions as core's VersionInfo, newest first; `current` marks the one `get` returns. */
export function toVersionInfos(
  key: string,
  versions: readonly ListedVersion[] | undefined,
): ParameterVersionInfo[] {
  const current = currentVersion(versions)
  return (versions ?? []).map((v) => ({
    key,
    version: v.id,
    ...(v.createdAt !== undefined && { createdAt: v.createdAt }),
    current: v === current,
    labels: [],
    disabled: v.disabled,
  }))
}

/** Throws ConflictError unless the version `get` returns now is `expected`. */
export function assertCurrent(
  ctx: ParameterContext,
  versions: readonly ListedVersion[] | undefined,
  expected: string,
) {
  const current = currentVersion(versions)?.id
  if (current !== expected) {
    throw new ConflictError({
      key: ctx.key,
      provider: ctx.provider,
      currentVersion: current,
      message: `Version conflict on key "${ctx.key}" (provider "${ctx.provider}"): expected ${expected}, current is ${current ?? 'none (missing)'}.`,
    })
  }
}

async function setDisabled(ctx: ParameterContext, name: string, disabled: boolean): Promise<void> {
  const request = { parameterVersion: { name, disabled }, updateMask: { paths: ['disabled'] } }
  await withSignal(ctx.client.updateParameterVersion(request, callOptions()), ctx.signal)
}

/** Makes `version` current by disabling every enabled version newer than it (enabling it if needed). */
export async function rollbackParameter(
  ctx: ParameterContext,
  version: string,
): Promise<ParameterVersionInfo> {
  const versions = (await listParameterVersions(ctx)) ?? []
  const at = versions.findIndex((v) => v.id === version)
  const target = versions[at]
  if (target === undefined) {
    throw new NotFoundError({
      key: ctx.key,
      provider: ctx.provider,
      message: `Key "${ctx.key}" has no version ${version} to roll back to (provider "${ctx.provider}").`,
    })
  }
  if (target.disabled) await setDisabled(ctx, target.name, false)
  for (const newer of versions.slice(0, at)) if (!newer.disabled) await setDisabled(ctx, newer.name, true)
  return {
    key: ctx.key,
    version,
    ...(target.createdAt !== undefined && { createdAt: target.createdAt }),
    current: true,
    labels: [],
    disabled: false,
  }
}
