/**
 * Google's canonical error model (google.rpc.Code), shared by both transports: gRPC sends the number in
 * `grpc-status`; REST sends `{ "error": { "code": <HTTP status>, "message", "status": "<NAME>" } }`
 * with the HTTP status the mapping in google/rpc/code.proto gives.
 */

export const STATUS_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const

/** A canonical status name such as `NOT_FOUND`. */
export type StatusName = keyof typeof STATUS_CODES

const HTTP_STATUS: Record<StatusName, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
}

/** The HTTP status REST answers a canonical status with. */
export function httpStatusOf(status: StatusName): number {
  return HTTP_STATUS[status]
}

/** The canonical status an HTTP status stands for (for faults injected by HTTP status). */
export function statusOfHttp(http: number): StatusName {
  switch (http) {
    case 400:
      return 'INVALID_ARGUMENT'
    case 401:
      return 'UNAUTHENTICATED'
    case 403:
      return 'PERMISSION_DENIED'
    case 404:
      return 'NOT_FOUND'
    case 409:
      return 'ABORTED'
    case 429:
      return 'RESOURCE_EXHAUSTED'
    case 501:
      return 'UNIMPLEMENTED'
    case 503:
      return 'UNAVAILABLE'
    case 504:
      return 'DEADLINE_EXCEEDED'
    default:
      return http >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'
  }
}

export function isStatusName(name: unknown): name is StatusName {
  return typeof name === 'string' && Object.hasOwn(STATUS_CODES, name)
}

/** An error a fake handler throws; both transports encode it in their own way. */
export class GcpError extends Error {
  constructor(
    readonly status: StatusName,
    message: string,
  ) {
    super(message)
    this.name = status
  }
}

export const notFound = (message: string) => new GcpError('NOT_FOUND', message)
export const invalidArgument = (message: string) => new GcpError('INVALID_ARGUMENT', message)
export const failedPrecondition = (message: string) => new GcpError('FAILED_PRECONDITION', message)
export const alreadyExists = (message: string) => new GcpError('ALREADY_EXISTS', message)
