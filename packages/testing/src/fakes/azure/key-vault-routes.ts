import { pageToken } from '../page-token.js'
import { AzureHttpError, type AzureRequest, type AzureRoute, json, param, readJson } from './http.js'
import type { KeyVaultState, KvDeleted, KvSecret, KvVersion } from './key-vault-state.js'

/**
 * The secret routes of the Key Vault fake, with the service's shapes: bundles and items with
 * attributes in epoch seconds, deleted-secret bundles, pages of `maxresults` with an absolute
 * `nextLink`, and errors as `{ error: { code, message, innererror } }`.
 */

const NAME = /^[0-9a-zA-Z-]{1,127}$/
const API_VERSION = /^(7\.\d+|20\d\d-\d\d-\d\d)(-preview(\.\d+)?)?$/
/** Page size when a list names none (the service's default and maximum). */
const MAX_RESULTS = 25

function kvError(status: number, code: string, message: string, inner?: string): AzureHttpError {
  return new AzureHttpError(
    json(status, { error: { code, message, ...(inner && { innererror: { code: inner } }) } }),
  )
}
const badParameter = (message: string) => kvError(400, 'BadParameter', message)
const seconds = (ms: number) => Math.floor(ms / 1000)

export function keyVaultRoutes(state: KeyVaultState, valueLimit: number): AzureRoute[] {
  const base = (req: AzureRequest) => `https://${req.headers.host ?? '127.0.0.1'}`
  const recoveryLevel = state.recoverableDays > 0 ? 'Recoverable+Purgeable' : 'Purgeable'
  const attributes = (v: KvVersion) => ({
    enabled: v.enabled,
    ...(v.notBefore !== undefined && { nbf: seconds(v.notBefore) }),
    ...(v.expiresOn !== undefined && { exp: seconds(v.expiresOn) }),
    created: seconds(v.created),
    updated: seconds(v.updated),
    recoveryLevel,
    ...(state.recoverableDays > 0 && { recoverableDays: state.recoverableDays }),
  })
  const common = (v: KvVersion) => ({
    attributes: attributes(v),
    ...(v.contentType !== undefined && { contentType: v.contentType }),
    ...(v.tags !== undefined && { tags: v.tags }),
  })
  const bundle = (req: AzureRequest, s: KvSecret, v: KvVersion, withValue: boolean) => ({
    ...(withValue && { value: v.value }),
    id: `${base(req)}/secrets/${s.name}/${v.id}`,
    ...common(v),
  })
  const deletedBundle = (req: AzureRequest, d: KvDeleted) => ({
    ...(state.recoverableDays > 0 && { recoveryId: `${base(req)}/deletedsecrets/${d.secret.name}` }),
    ...bundle(req, d.secret, d.secret.versions.at(-1)!, false),
    deletedDate: seconds(d.deletedDate),
    scheduledPurgeDate: seconds(d.scheduledPurgeDate),
  })

  const checkApiVersion = (req: AzureRequest) => {
    const v = param(req, 'api-version')
    if (v === undefined)
      throw badParameter('The api-version query parameter (?api-version=) is required for all requests.')
    if (!API_VERSION.test(v))
      throw badParameter(
        `The specified version (${v}) is not recognized. Consider using the latest supported version (2025-07-01).`,
      )
    return v
  }
  const checkName = (name: string) => {
    if (!NAME.test(name)) throw badParameter(`The request URI contains an invalid name: ${name}`)
  }
  const notFound = (name: string, version?: string) =>
    kvError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    )
  const deletedNotFound = (name: string) =>
    kvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`)
  const live = (req: AzureRequest) => {
    checkApiVersion(req)
    const name = req.params.name!
    checkName(name)
    const secret = state.find(name)
    if (!secret) throw notFound(name)
    return secret
  }
  const version = (secret: KvSecret, id: string | undefined) => {
    if (!id) return secret.versions.at(-1)!
    const v = secret.versions.find((x) => x.id === id.toLowerCase())
    if (!v) throw notFound(secret.name, id)
    return v
  }
  const deleted = (req: AzureRequest) => {
    checkApiVersion(req)
    const d = state.deleted(req.params.name!)
    if (!d) throw deletedNotFound(req.params.name!)
    return d
  }
  /** Attributes from a request body: `{ enabled, nbf, exp }` in seconds. */
  const readAttributes = (body: Record<string, any>) => {
    const a = body.attributes
    if (a === undefined || a === null) return {}
    if (typeof a !== 'object') throw badParameter('Property attributes must be an object.')
    const time = (field: 'nbf' | 'exp') => {
      if (a[field] === undefined || a[field] === null) return undefined
      if (!Number.isInteger(a[field]))
        throw badParameter(`Property attributes.${field} must be a number of seconds.`)
      return a[field] * 1000
    }
    if (a.enabled !== undefined && typeof a.enabled !== 'boolean')
      throw badParameter('Property attributes.enabled must be a boolean.')
    return { enabled: a.enabled as boolean | undefined, notBefore: time('nbf'), expiresOn: time('exp') }
  }
  const readBody = (req: AzureRequest): Record<string, any> => {
    const body = readJson(req, badParameter) ?? {}
    if (typeof body !== 'object' || Array.isArray(body))
      throw badParameter('The request body must be a JSON object.')
    return body as Record<string, any>
  }
  const checkTags = (tags: unknown) => {
    if (tags === undefined || tags === null) return undefined
    if (
      typeof tags !== 'object' ||
      Array.isArray(tags) ||
      Object.values(tags).some((t) => typeof t !== 'string')
    )
      throw badParameter('Property tags must be an object of strings.')
    if (Object.keys(tags).length > 15) throw badParameter('A secret may have at most 15 tags.')
    return tags as Record<string, string>
  }
  const page = <T>(req: AzureRequest, items: T[], scope: string, path: string) => {
    const v = checkApiVersion(req)
    const raw = param(req, 'maxresults')
    const size = raw === undefined ? MAX_RESULTS : Number(raw)
    if (!Number.isInteger(size) || size < 1 || size > MAX_RESULTS)
      throw badParameter(`invalid maxresults: ${raw}. It must be an integer from 1 to ${MAX_RESULTS}.`)
    const token = param(req, '$skiptoken')
    const offset = token === undefined ? 0 : pageToken.decode(token, scope)
    if (offset === undefined) throw badParameter('The $skiptoken is not valid for this listing.')
    const end = offset + size
    const nextLink =
      end < items.length
        ? `${base(req)}${path}?api-version=${v}&$skiptoken=${pageToken.encode(end, scope)}&maxresults=${size}`
        : null
    return { value: items.slice(offset, end), nextLink }
  }

  return [
    {
      method: 'PUT',
      path: '/secrets/{name}',
      operation: 'SetSecret',
      handler(req) {
        checkApiVersion(req)
        const name = req.params.name!
        checkName(name)
        const body = readBody(req)
        if (typeof body.value !== 'string')
          throw badParameter('Property value is required and must be a string.')
        if (Buffer.byteLength(body.value) > valueLimit)
          throw badParameter(
            `The secret value is too large: ${Buffer.byteLength(body.value)} bytes; the limit is ${valueLimit} bytes.`,
          )
        if (state.deleted(name))
          throw kvError(
            409,
            'Conflict',
            `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
            'ObjectIsDeletedButRecoverable',
          )
        if (body.contentType !== undefined && typeof body.contentType !== 'string')
          throw badParameter('Property contentType must be a string.')
        const a = readAttributes(body)
        const v = state.addVersion(name, {
          value: body.value,
          contentType: body.contentType,
          tags: checkTags(body.tags),
          ...(a.enabled !== undefined && { enabled: a.enabled }),
          ...(a.notBefore !== undefined && { notBefore: new Date(a.notBefore) }),
          ...(a.expiresOn !== undefined && { expiresOn: new Date(a.expiresOn) }),
        })
        return json(200, bundle(req, state.find(name)!, v, true))
      },
    },
    {
      method: 'GET',
      path: '/secrets',
      operation: 'ListSecrets',
      handler(req) {
        const { value, nextLink } = page(req, state.list(), 'secrets', '/secrets')
        return json(200, {
          value: value.map((s) => ({ id: `${base(req)}/secrets/${s.name}`, ...common(s.versions.at(-1)!) })),
          nextLink,
        })
      },
    },
    {
      method: 'GET',
      path: '/secrets/{name}/versions',
      operation: 'ListSecretVersions',
      handler(req) {
        const secret = live(req)
        const path = `/secrets/${secret.name}/versions`
        const { value, nextLink } = page(req, secret.versions, `versions:${secret.name.toLowerCase()}`, path)
        return json(200, {
          value: value.map((v) => ({ id: `${base(req)}/secrets/${secret.name}/${v.id}`, ...common(v) })),
          nextLink,
        })
      },
    },
    ...(['/secrets/{name}/{version}', '/secrets/{name}'] as const).flatMap((path): AzureRoute[] => [
      {
        method: 'GET',
        path,
        operation: 'GetSecret',
        handler(req) {
          const secret = live(req)
          const v = version(secret, req.params.version)
          if (!v.enabled)
            throw kvError(
              403,
              'Forbidden',
              'Operation get is not allowed on a disabled secret.',
              'SecretDisabled',
            )
          return json(200, bundle(req, secret, v, true))
        },
      },
      {
        method: 'PATCH',
        path,
        operation: 'UpdateSecret',
        handler(req) {
          const secret = live(req)
          const v = version(secret, req.params.version)
          const body = readBody(req)
          if ('value' in body)
            throw badParameter('The value of a secret cannot be updated; set a new version instead.')
          const a = readAttributes(body)
          if (a.enabled !== undefined) v.enabled = a.enabled
          if (a.notBefore !== undefined) v.notBefore = a.notBefore
          if (a.expiresOn !== undefined) v.expiresOn = a.expiresOn
          if (body.contentType !== undefined) v.contentType = String(body.contentType)
          if (body.tags !== undefined) v.tags = checkTags(body.tags)
          v.updated = state.now()
          return json(200, bundle(req, secret, v, false))
        },
      },
    ]),
    {
      method: 'DELETE',
      path: '/secrets/{name}',
      operation: 'DeleteSecret',
      handler(req) {
        return json(200, deletedBundle(req, state.delete(live(req))))
      },
    },
    {
      method: 'GET',
      path: '/deletedsecrets',
      operation: 'ListDeletedSecrets',
      handler(req) {
        const { value, nextLink } = page(req, state.listDeleted(), 'deleted', '/deletedsecrets')
        return json(200, {
          value: value.map((d) => {
            const { value: _v, ...item } = deletedBundle(req, d) as Record<string, unknown>
            return { ...item, id: `${base(req)}/secrets/${d.secret.name}` }
          }),
          nextLink,
        })
      },
    },
    {
      method: 'GET',
      path: '/deletedsecrets/{name}',
      operation: 'GetDeletedSecret',
      handler: (req) => json(200, deletedBundle(req, deleted(req))),
    },
    {
      method: 'DELETE',
      path: '/deletedsecrets/{name}',
      operation: 'PurgeDeletedSecret',
      handler(req) {
        state.purge(deleted(req))
        return { status: 204 }
      },
    },
    {
      method: 'POST',
      path: '/deletedsecrets/{name}/recover',
      operation: 'RecoverDeletedSecret',
      handler(req) {
        const secret = state.recover(deleted(req))
        return json(200, bundle(req, secret, secret.versions.at(-1)!, false))
      },
    },
  ]
}
