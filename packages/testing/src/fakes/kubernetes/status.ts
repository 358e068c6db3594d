/**
 * The API server's error objects: every failure is a `Status` (`kind: 'Status'`, `status: 'Failure'`)
 * with a machine-readable `reason`, the HTTP `code` again, and `details` naming the object. Messages
 * follow apimachinery's `k8s.io/apimachinery/pkg/api/errors` word for word, since clients and humans
 * match on them.
 */

/** One field-level problem of an `Invalid` Status. */
export interface StatusCause {
  readonly reason?: string
  readonly message?: string
  readonly field?: string
}

/** `metav1.Status` as the API server sends it. */
export interface KubeStatus {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure' | 'Success'
  readonly message?: string
  readonly reason?: string
  readonly details?: {
    readonly name?: string
    readonly group?: string
    readonly kind?: string
    readonly uid?: string
    readonly causes?: readonly StatusCause[]
    readonly retryAfterSeconds?: number
  }
  readonly code: number
}

/** A failure a handler throws; the router answers with its Status. */
export class KubeError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`)
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatus['details'],
): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  }
}

const fail = (...args: Parameters<typeof failure>) => new KubeError(failure(...args))

/** `secrets "db" not found` (404). `resource` is the plural (`secrets`), as in the real message. */
export const notFound = (resource: string, name: string) =>
  fail(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource })

export const alreadyExists = (resource: string, name: string) =>
  fail(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource })

/** Optimistic concurrency: the resourceVersion in the request is not the stored one. */
export const conflict = (resource: string, name: string) =>
  fail(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, kind: resource },
  )

export const badRequest = (message: string) => fail(400, 'BadRequest', message)

/**
 * `Secret "db" is invalid: data[tls.key]: Required value` (422). `causes` carry field and message;
 * never a secret value (the API server, too, writes `<secret contents redacted>`).
 */
export function invalid(kind: string, name: string, causes: readonly StatusCause[]): KubeError {
  const lines = causes.map((c) => `${c.field}: ${c.message}`)
  const summary = lines.length === 1 ? lines[0]! : `[${lines.join(', ')}]`
  return fail(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes })
}

export const unauthorized = () => fail(401, 'Unauthorized', 'Unauthorized')

export function forbidden(
  user: string,
  verb: string,
  resource: string,
  name: string | undefined,
  namespace: string | undefined,
  group = '',
): KubeError {
  const what = name
    ? `${resource}${group ? `.${group}` : ''} "${name}"`
    : `${resource}${group ? `.${group}` : ''}`
  const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'
  return fail(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}"${where}`,
    { ...(name ? { name } : {}), kind: resource },
  )
}

/** The resourceVersion a watch or a continue token names is older than the history kept (410). */
export const expired = (message: string) => fail(410, 'Expired', message)

export const tooLarge = (limit: number) =>
  fail(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`)

export const unsupportedMediaType = (contentType: string, accepted: readonly string[]) =>
  fail(
    415,
    'UnsupportedMediaType',
    `${contentType}: the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  )

export const methodNotAllowed = (method: string) =>
  fail(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`)

/** What a successful delete of a Secret or ConfigMap answers: a `Success` Status naming the object. */
export function deleted(resource: string, name: string, uid: string): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, kind: resource, uid },
    code: 200,
  }
}
