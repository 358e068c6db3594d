import type { WireFault } from '../http-server.js'
import { decodeJson, type RpcMethod, serviceMethods } from './proto.js'
import { GcpError, isStatusName, type StatusName, statusOfHttp } from './status.js'

/**
 * What both transports of a Google fake share: the service's methods, the handlers that implement them
 * over plain-object messages, and how an injected fault becomes a canonical status.
 */

/** Implements one RPC: the request in the plain-object form in, the response out (or a thrown GcpError). */
export type GcpHandler = (
  request: Record<string, any>,
) => Record<string, unknown> | Promise<Record<string, unknown>>

/** A served service: its full proto name and a handler per implemented method. */
export interface GcpService {
  /** e.g. `google.cloud.secretmanager.v1.SecretManagerService`. */
  readonly fullName: string
  readonly handlers: Readonly<Record<string, GcpHandler>>
}

/** A service resolved against the schema: methods by name, ready for either transport. */
export interface ResolvedService {
  readonly fullName: string
  readonly methods: ReadonlyMap<string, RpcMethod>
  /** Runs the handler of `method`; a name outside the service is UNIMPLEMENTED, as on a real gRPC server. */
  call(method: string, request: Record<string, any>): Promise<Record<string, unknown>>
}

export function resolveService(service: GcpService): ResolvedService {
  const methods = serviceMethods(service.fullName)
  return {
    fullName: service.fullName,
    methods,
    async call(method, request) {
      const handler = service.handlers[method]
      if (!handler) throw new GcpError('UNIMPLEMENTED', `Method ${method} is not part of this service.`)
      return handler(request)
    },
  }
}

/** The canonical status and message an injected fault answers with. */
export function faultStatus(fault: WireFault): {
  status: StatusName
  message: string
  retryAfterMs?: number
} {
  if (fault.kind === 'unavailable')
    return { status: 'UNAVAILABLE', message: 'The service is currently unavailable.' }
  if (fault.kind === 'throttle') {
    return {
      status: 'RESOURCE_EXHAUSTED',
      message: "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute'.",
      ...(fault.retryAfterMs !== undefined && { retryAfterMs: fault.retryAfterMs }),
    }
  }
  // `type` names the status (`UNAVAILABLE`, `RESOURCE_EXHAUSTED`, `PERMISSION_DENIED` …); otherwise the
  // HTTP status picks it, 500 → INTERNAL by default.
  const status = isStatusName(fault.type) ? fault.type : statusOfHttp(fault.status ?? 500)
  return { status, message: fault.message ?? `Injected fault: ${status}` }
}

/** Decodes a REST request body, turning a schema violation into INVALID_ARGUMENT. */
export function decodeRestRequest(method: RpcMethod, json: unknown): Record<string, any> {
  try {
    return decodeJson(method.requestType, json)
  } catch (error) {
    throw new GcpError('INVALID_ARGUMENT', `Invalid JSON payload received. ${(error as Error).message}`)
  }
}
