import { randomBytes } from 'node:crypto'
import { createRandom } from '../random.js'
import { crc32c } from './crc32c.js'
import { compileFilter } from './filter.js'
import { paginate } from './pagination.js'
import {
  type Project,
  parseParent,
  parseSecretName,
  type SecretName,
  secretName,
  secretNotFound,
} from './secret-manager-names.js'
import {
  type GcpSecretSeed,
  SecretManagerState,
  type StoredSecret,
  type StoredVersion,
} from './secret-manager-state.js'
import { updateSecret } from './secret-manager-update.js'
import { type GcpFake, type GcpFakeOptions, startGcpFake } from './server.js'
import type { GcpHandler } from './service.js'
import { alreadyExists, failedPrecondition, GcpError, invalidArgument, notFound } from './status.js'
import { timestamp } from './timestamp.js'

/**
 * A wire-level fake of Google Cloud Secret Manager (v1), served over gRPC and REST on one port, so the
 * official `@google-cloud/secret-manager` client talks to it unchanged. Rules follow the v1 protos and the
 * API reference: numbered versions, `latest`, aliases, ENABLED/DISABLED/DESTROYED, CRC32C, etags,
 * update masks, pagination, filters, the 64 KiB payload limit.
 */

/** Options of the Secret Manager fake. */
export interface SecretManagerFakeOptions extends GcpFakeOptions {
  /** Secrets to start with, by secret id (same shape as `seed()`). */
  readonly secrets?: Readonly<Record<string, GcpSecretSeed>>
  /** The project number responses name resources by. Default: `314159265358`. */
  readonly projectNumber?: string
}

/** A running Secret Manager fake. */
export type GcpSecretManagerFake = GcpFake<
  'gcp-secret-manager',
  SecretManagerState,
  Readonly<Record<string, GcpSecretSeed>>
> & {
  /**
   * The payload a version name (`projects/*\/secrets/*\/versions/*`) holds, under AccessSecretVersion's
   * rules (the same {@link GcpError}s); not counted as a request. Parameter Manager renders references so.
   */
  access(name: string): Buffer
}

/** The payload limit of a secret version (SecretPayload.data: "Must be no larger than 64KiB"). */
export const SECRET_PAYLOAD_LIMIT = 64 * 1024

const SECRET_ID = /^[a-zA-Z0-9_-]{1,255}$/

export function secretManagerHandlers(
  state: SecretManagerState,
  project: Project,
): Record<string, GcpHandler> {
  const denyCheck = (id: string, name: string, permission: string) => {
    if (state.isDenied(id, permission))
      throw new GcpError(
        'PERMISSION_DENIED',
        `Permission '${permission}' denied for resource '${name}' (or it may not exist).`,
      )
  }
  /** Secrets whose Cloud SQL managed rotation is on (EnableManagedRotation may run once per secret). */
  const managedRotation = new WeakSet<StoredSecret>()
  const findSecret = (name: unknown, permission: string): { secret: StoredSecret; parsed: SecretName } => {
    const parsed = parseSecretName(project, name, false, permission)
    denyCheck(parsed.id, name as string, permission)
    const secret = state.find(SecretManagerState.key(parsed.id, parsed.location))
    if (!secret) throw secretNotFound(secretName(project, parsed.location, parsed.id))
    return { secret, parsed }
  }
  /**
   * `latest` and aliases resolve only where the protos allow them (GetSecretVersion and
   * AccessSecretVersion); state changes take a version number.
   */
  const findVersion = (
    name: unknown,
    permission: string,
    byAlias = false,
  ): { secret: StoredSecret; version: StoredVersion } => {
    const parsed = parseSecretName(project, name, true, permission)
    denyCheck(parsed.id, name as string, permission)
    const secret = state.find(SecretManagerState.key(parsed.id, parsed.location))
    const canonical = secretName(project, parsed.location, parsed.id)
    if (!secret) throw secretNotFound(canonical)
    const ref = parsed.version!
    let version: StoredVersion | undefined
    if (ref === 'latest' && byAlias) {
      version = state.latest(secret)
      if (!version) throw secretNotFound(canonical)
    } else {
      const number = /^[1-9][0-9]*$/.test(ref) ? Number(ref) : byAlias ? secret.aliases[ref] : undefined
      version = number === undefined ? undefined : secret.versions.get(number)
      if (!version) throw notFound(`Secret Version [${canonical}/versions/${ref}] not found.`)
    }
    return { secret, version }
  }
  const checkEtag = (given: unknown, current: string) => {
    if (typeof given === 'string' && given !== '' && given !== current)
      throw failedPrecondition(
        `The etag provided (${given}) does not match the current etag of the resource.`,
      )
  }

  const secretMessage = (s: StoredSecret) => ({
    ...s.extra,
    name: secretName(project, s.location, s.id),
    createTime: timestamp(s.createTime),
    labels: s.labels,
    annotations: s.annotations,
    versionAliases: Object.fromEntries(Object.entries(s.aliases).map(([k, v]) => [k, String(v)])),
    etag: s.etag,
  })
  const versionMessage = (s: StoredSecret, v: StoredVersion) => ({
    name: `${secretName(project, s.location, s.id)}/versions/${v.number}`,
    createTime: timestamp(v.createTime),
    state: v.state,
    etag: v.etag,
    clientSpecifiedPayloadChecksum: v.clientChecksum,
    replicationStatus: { automatic: {} },
    ...(v.destroyTime !== undefined && { destroyTime: timestamp(v.destroyTime) }),
    ...(v.scheduledDestroyTime !== undefined && { scheduledDestroyTime: timestamp(v.scheduledDestroyTime) }),
  })
  const setState = (request: Record<string, any>, permission: string, to: 'ENABLED' | 'DISABLED') => {
    const { secret, version } = findVersion(request.name, permission)
    checkEtag(request.etag, version.etag)
    if (version.state === 'DESTROYED') throw destroyed(secret, version)
    version.state = to
    delete version.scheduledDestroyTime
    version.etag = state.etag()
    return versionMessage(secret, version)
  }
  const destroyed = (s: StoredSecret, v: StoredVersion) =>
    failedPrecondition(
      `Secret Version [${secretName(project, s.location, s.id)}/versions/${v.number}] is in DESTROYED state.`,
    )

  return {
    CreateSecret(request) {
      const { location } = parseParent(project, request.parent, 'secretmanager.secrets.create')
      const id = request.secretId
      if (typeof id !== 'string' || !SECRET_ID.test(id))
        throw invalidArgument(
          'Secret ID must be at most 255 characters and contain only letters, numerals, hyphens (-) and underscores (_).',
        )
      denyCheck(id, `${request.parent}/secrets/${id}`, 'secretmanager.secrets.create')
      const body = request.secret ?? {}
      if (!location && !body.replication) throw invalidArgument('Secret.replication is required.')
      if (state.find(SecretManagerState.key(id, location)))
        throw alreadyExists(`Secret [${secretName(project, location, id)}] already exists.`)
      if (body.versionAliases && Object.keys(body.versionAliases).length)
        throw invalidArgument('Version aliases can only name existing versions; a new secret has none.')
      const { name: _n, createTime: _c, etag: _e, labels, annotations, versionAliases: _a, ...extra } = body
      const secret = state.create(id, location, { labels, annotations, extra })
      return secretMessage(secret)
    },

    GetSecret(request) {
      return secretMessage(findSecret(request.name, 'secretmanager.secrets.get').secret)
    },

    UpdateSecret(request) {
      const { secret } = findSecret(request.secret?.name, 'secretmanager.secrets.update')
      checkEtag(request.secret?.etag, secret.etag)
      updateSecret(secret, request.secret ?? {}, request.updateMask?.paths ?? [])
      secret.etag = state.etag()
      return secretMessage(secret)
    },

    DeleteSecret(request) {
      const { secret } = findSecret(request.name, 'secretmanager.secrets.delete')
      checkEtag(request.etag, secret.etag)
      state.remove(secret)
      return {}
    },

    ListSecrets(request) {
      const { location } = parseParent(project, request.parent, 'secretmanager.secrets.list')
      const matches = compileFilter(request.filter, (s: StoredSecret) => (path) => {
        if (path === 'name') return { kind: 'text', value: secretName(project, s.location, s.id) }
        if (path === 'create_time') return { kind: 'time', value: s.createTime }
        if (path === 'labels') return { kind: 'map', value: s.labels }
        if (path === 'annotations') return { kind: 'map', value: s.annotations }
        if (path.startsWith('labels.')) return { kind: 'text', value: s.labels[path.slice(7)] }
        if (path.startsWith('annotations.')) return { kind: 'text', value: s.annotations[path.slice(12)] }
        return undefined
      })
      // Newest first (ListSecretsResponse.secrets: "sorted in reverse by create_time").
      const all = state.list(location).reverse()
      const selected = all.filter(matches)
      const { page, nextPageToken } = paginate(
        selected,
        request,
        `secrets:${location ?? ''}:${request.filter ?? ''}`,
      )
      return {
        secrets: page.map(secretMessage),
        nextPageToken,
        totalSize: request.filter ? 0 : all.length,
      }
    },

    AddSecretVersion(request) {
      const { secret } = findSecret(request.parent, 'secretmanager.versions.add')
      const payload = request.payload ?? {}
      const data: Buffer = payload.data ?? Buffer.alloc(0)
      if (data.length > SECRET_PAYLOAD_LIMIT)
        throw invalidArgument(
          `Secret payload data must be no larger than 64KiB (${SECRET_PAYLOAD_LIMIT} bytes); got ${data.length} bytes.`,
        )
      const sent = payload.dataCrc32c
      if (sent !== undefined && String(sent) !== String(crc32c(data)))
        throw invalidArgument('Checksum mismatch: data_crc32c does not match the CRC32C of the payload data.')
      return versionMessage(secret, state.addVersion(secret, data, sent !== undefined))
    },

    GetSecretVersion(request) {
      const { secret, version } = findVersion(request.name, 'secretmanager.versions.get', true)
      return versionMessage(secret, version)
    },

    AccessSecretVersion(request) {
      const { secret, version } = findVersion(request.name, 'secretmanager.versions.access', true)
      if (version.state !== 'ENABLED')
        throw failedPrecondition(
          `Secret Version [${secretName(project, secret.location, secret.id)}/versions/${version.number}] is in ${version.state} state.`,
        )
      return {
        name: `${secretName(project, secret.location, secret.id)}/versions/${version.number}`,
        payload: { data: version.data, dataCrc32c: String(version.crc32c) },
      }
    },

    ListSecretVersions(request) {
      const { secret } = findSecret(request.parent, 'secretmanager.versions.list')
      const matches = compileFilter(request.filter, (v: StoredVersion) => (path) => {
        if (path === 'name')
          return {
            kind: 'text',
            value: `${secretName(project, secret.location, secret.id)}/versions/${v.number}`,
          }
        if (path === 'state') return { kind: 'text', value: v.state }
        if (path === 'create_time') return { kind: 'time', value: v.createTime }
        return undefined
      })
      const all = [...secret.versions.values()].sort((a, b) => b.number - a.number)
      const selected = all.filter(matches)
      const { page, nextPageToken } = paginate(
        selected,
        request,
        `versions:${secret.key}:${request.filter ?? ''}`,
      )
      return {
        versions: page.map((v) => versionMessage(secret, v)),
        nextPageToken,
        totalSize: request.filter ? 0 : all.length,
      }
    },

    EnableSecretVersion: (request) => setState(request, 'secretmanager.versions.enable', 'ENABLED'),
    DisableSecretVersion: (request) => setState(request, 'secretmanager.versions.disable', 'DISABLED'),

    DestroySecretVersion(request) {
      const { secret, version } = findVersion(request.name, 'secretmanager.versions.destroy')
      checkEtag(request.etag, version.etag)
      if (version.state === 'DESTROYED') throw destroyed(secret, version)
      const ttl = secret.extra.versionDestroyTtl as { seconds?: string } | undefined
      if (ttl && Number(ttl.seconds ?? 0) > 0) {
        // Delayed destruction: the version is disabled now and destroyed when the TTL runs out.
        version.state = 'DISABLED'
        version.scheduledDestroyTime = state.now() + Number(ttl.seconds) * 1000
        version.etag = state.etag()
      } else {
        state.destroy(version)
      }
      return versionMessage(secret, version)
    },

    // Managed rotation of a Cloud SQL user's password: the service sets the password on the instance
    // and adds it as a new version. The fake keeps no Cloud SQL instance; it adds the version.
    EnableManagedRotation(request) {
      const { secret } = findSecret(request.parent, 'secretmanager.versions.add')
      const credentials = request.cloudSqlSingleUserCredentials
      if (!credentials?.instanceId || !credentials?.username)
        throw invalidArgument('cloud_sql_single_user_credentials.instance_id and .username are required.')
      if (managedRotation.has(secret))
        throw failedPrecondition('Managed rotation is already enabled for this secret; use RotateSecret.')
      managedRotation.add(secret)
      const password = credentials.password || randomBytes(24).toString('base64url')
      return versionMessage(secret, state.addVersion(secret, Buffer.from(password), false))
    },

    RotateSecret(request) {
      const { secret } = findSecret(request.parent, 'secretmanager.versions.add')
      if (!managedRotation.has(secret))
        throw failedPrecondition(
          'Managed rotation is not enabled for this secret; call EnableManagedRotation first.',
        )
      return versionMessage(
        secret,
        state.addVersion(secret, Buffer.from(randomBytes(24).toString('base64url')), false),
      )
    },
  }
}

/** Starts a Secret Manager fake on 127.0.0.1 (random port). Prefer `startFake('gcp-secret-manager')`. */
export async function startSecretManagerFake(
  options: SecretManagerFakeOptions = {},
): Promise<GcpSecretManagerFake> {
  const project: Project = {
    id: options.projectId ?? 'fake-project',
    number: options.projectNumber ?? '314159265358',
  }
  const state = new SecretManagerState({ random: createRandom(options.seed), now: options.now ?? Date.now })
  const handlers = secretManagerHandlers(state, project)
  const fake = await startGcpFake(
    'gcp-secret-manager',
    { fullName: 'google.cloud.secretmanager.v1.SecretManagerService', handlers },
    state,
    { ...options, projectId: project.id, initial: options.secrets },
  )
  const access = (name: string): Buffer => {
    const response = handlers.AccessSecretVersion!({ name }) as { payload: { data: Buffer } }
    return response.payload.data
  }
  return Object.assign(fake, { access })
}
