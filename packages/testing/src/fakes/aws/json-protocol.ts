import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import {
  type FakeServer,
  type FakeServerOptions,
  startFakeServer,
  type WireFault,
  type WireProtocol,
  type WireResponse,
} from '../http-server.js'
import { pageToken } from '../page-token.js'

/**
 * The AWS JSON 1.1 protocol as the official SDKs speak it: `POST /`, the operation in
 * `X-Amz-Target: <prefix>.<Operation>`, a JSON body, errors as `{"__type": "...", "message": "..."}`
 * with a 4xx/5xx status. Signatures are not verified (any SigV4 passes) but must be present, so a
 * client that forgot credentials fails here as it would against AWS.
 */

/** An error a fake operation throws; becomes the `__type`/`message` body with `status`. */
/** Options every AWS fake takes. */
export interface AwsFakeOptions extends FakeServerOptions {
  /** Region in ARNs. Default: `us-east-1`. */
  readonly region?: string
  /** Account id in ARNs. Default: `123456789012`. */
  readonly accountId?: string
  /** Clock of the fake (epoch ms); inject one to test time-based rules (recovery windows). Default: `Date.now`. */
  readonly now?: () => number
}

export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = type
  }
}

/** The generic "bad input" error AWS front ends raise for model constraint violations. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message)
}

/** One operation: decoded input in, JSON-serialisable output out (timestamps as epoch seconds). */
export type AwsOperation = (input: Record<string, any>) => unknown

/** Describes one JSON 1.1 service for {@link awsJsonProtocol}. */
export interface AwsJsonService {
  /** The `X-Amz-Target` prefix: `secretsmanager`, `AmazonSSM`. */
  readonly targetPrefix: string
  readonly operations: Readonly<Record<string, AwsOperation>>
  /** `__type` of the service's 5xx error: `InternalServiceError` (Secrets Manager), `InternalServerError` (SSM). */
  readonly serverErrorType: string
}

const CONTENT_TYPE = 'application/x-amz-json-1.1'

function json(status: number, body: unknown): WireResponse {
  return {
    status,
    headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify(body),
  }
}

function errorResponse(error: AwsError): WireResponse {
  // AWS also names the error in a header; the SDK reads either.
  const res = json(error.status, { __type: error.type, message: error.message })
  return { ...res, headers: { ...res.headers, 'x-amzn-ErrorType': error.type } }
}

/** Checks the parts of a SigV4 request AWS rejects before any operation runs. */
function checkEnvelope(req: IncomingMessage): AwsError | undefined {
  const auth = req.headers.authorization
  if (auth === undefined) {
    // JSON 1.1 front ends answer 400 here, not the 403 of the query protocol (STS, IAM) or API Gateway:
    // Secrets Manager sends `400 {"__type":"MissingAuthenticationTokenException","message":"Missing
    // Authentication Token"}` (aws/aws-sdk-cpp#2407 logs the raw response).
    return new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token')
  }
  if (!/^AWS4-HMAC-SHA256 /.test(auth) || !/Credential=/.test(auth) || !/Signature=/.test(auth)) {
    return new AwsError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth.split(' ')[0]}`,
    )
  }
  if (req.headers['x-amz-date'] === undefined && req.headers.date === undefined) {
    return new AwsError(
      'IncompleteSignatureException',
      'Authorization header requires existence of either a X-Amz-Date or a Date header.',
    )
  }
  return undefined
}

/** A running AWS JSON 1.1 fake: the server, which service it is, its state and a way to seed it. */
export type AwsJsonFake<Name extends string, State, Seed> = FakeServer & {
  readonly service: Name
  /** The fake's data, for assertions and direct arrangement. */
  readonly state: State
  /** Creates (or replaces) items without going through the API. */
  seed(items: Seed): void
}

/** Starts a JSON 1.1 fake over its state: seeds it, serves its operation table on a random port. */
export async function startAwsJsonFake<Name extends string, State extends { seed(items: Seed): void }, Seed>(
  service: Name,
  wire: AwsJsonService,
  state: State,
  options: FakeServerOptions & { readonly initial?: Seed | undefined },
): Promise<AwsJsonFake<Name, State, Seed>> {
  if (options.initial) state.seed(options.initial)
  const server = await startFakeServer(awsJsonProtocol(wire), options)
  return Object.assign(server, { service, state, seed: (items: Seed) => state.seed(items) })
}

/** Builds the wire protocol of a JSON 1.1 service from its operation table. */
function awsJsonProtocol(service: AwsJsonService): WireProtocol {
  return {
    parse(req, body) {
      const target = String(req.headers['x-amz-target'] ?? '')
      const [prefix, operation] = target.split('.')
      const known =
        prefix === service.targetPrefix && operation !== undefined && operation in service.operations
      let input: unknown
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {}
      } catch {
        input = undefined
      }
      return { operation: known ? operation : 'unknown', input }
    },

    async handle(req, operation, input) {
      try {
        const envelope = checkEnvelope(req)
        if (envelope) throw envelope
        if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
          throw new AwsError(
            'UnknownOperationException',
            `${req.method} ${req.url} is not an AWS JSON 1.1 request`,
            404,
          )
        }
        const contentType = String(req.headers['content-type'] ?? '')
        if (!contentType.startsWith(CONTENT_TYPE)) {
          throw new AwsError(
            'SerializationException',
            `Expected Content-Type ${CONTENT_TYPE}, got "${contentType}"`,
          )
        }
        if (operation === 'unknown') {
          throw new AwsError(
            'UnknownOperationException',
            `Unknown or unsupported operation: ${String(req.headers['x-amz-target'])}`,
          )
        }
        if (input === undefined || typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new AwsError('SerializationException', 'Request body is not a JSON object')
        }
        const output = await service.operations[operation]!(input as Record<string, any>)
        return json(200, output ?? {})
      } catch (error) {
        if (error instanceof AwsError) return errorResponse(error)
        throw error
      }
    },

    fault(fault: WireFault) {
      if (fault.kind === 'throttle') {
        // AWS JSON services throttle with HTTP 400 and this type, which the SDK classifies as retryable.
        const status = fault.status ?? 400
        const res = errorResponse(new AwsError('ThrottlingException', 'Rate exceeded', status))
        if (fault.retryAfterMs === undefined) return res
        // A wait hint, as the SDK reads it: AWS's own `x-amz-retry-after` (milliseconds), or HTTP's
        // `Retry-After` (seconds) on a 429 from a front end.
        const hint: Record<string, string> =
          status === 429
            ? { 'Retry-After': String(Math.ceil(fault.retryAfterMs / 1000)) }
            : { 'x-amz-retry-after': String(Math.round(fault.retryAfterMs)) }
        return { ...res, headers: { ...res.headers, ...hint } }
      }
      if (fault.kind === 'unavailable') {
        return errorResponse(new AwsError('ServiceUnavailable', 'Service Unavailable', 503))
      }
      const status = fault.status ?? 500
      const type = fault.type ?? (status >= 500 ? service.serverErrorType : 'ValidationException')
      return errorResponse(new AwsError(type, fault.message ?? `Injected fault: ${type}`, status))
    },
  }
}

/** Epoch seconds with millisecond precision, the JSON 1.1 timestamp encoding. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000
}

export { pageToken }

/**
 * Slices one page out of `items`. `scope` ties a token to the listing that produced it (a token from
 * another secret or path is rejected, as AWS rejects foreign tokens).
 */
export function paginate<T>(
  items: readonly T[],
  input: { MaxResults?: number; NextToken?: string },
  opts: { scope: string; defaultMax: number; invalidTokenType: string },
): { page: T[]; NextToken?: string } {
  let start = 0
  if (input.NextToken !== undefined) {
    const decoded = pageToken.decode(input.NextToken, opts.scope)
    if (decoded === undefined) throw new AwsError(opts.invalidTokenType, 'The specified token is invalid.')
    start = decoded
  }
  const max = input.MaxResults ?? opts.defaultMax
  const page = items.slice(start, start + max)
  const end = start + page.length
  return end < items.length ? { page, NextToken: pageToken.encode(end, opts.scope) } : { page }
}

/** Checks an integer against a model `range` trait, with AWS's wording. */
export function checkRange(value: unknown, member: string, min: number, max: number): void {
  if (value === undefined || value === null) return
  if (typeof value !== 'number' || value < min) {
    throw validationError(
      `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    )
  }
  if (value > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    )
  }
}

/** Checks a list's length against a model `length` trait, with AWS's wording. */
export function checkLength(
  list: readonly unknown[] | undefined,
  member: string,
  min: number,
  max: number,
): void {
  if (list === undefined) return
  if (list.length < min || list.length > max) {
    const bound = list.length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`
    throw validationError(
      `1 validation error detected: Value '[${list.join(', ')}]' at '${member}' failed to satisfy constraint: Member must have length ${bound}`,
    )
  }
}

/** Throws `ValidationException` naming a missing required member. */
export function required<T>(value: T | undefined | null, member: string): T {
  if (value === undefined || value === null) {
    throw validationError(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    )
  }
  return value
}
