import { isPolysecretError, type PolysecretError, ThrottledError, UnavailableError } from '@polysecret/core'

/**
 * Errors as HTTP answers. The body is `{ error: { code, message, key?, provider?, requestId } }`; the
 * message is the polysecret error's (keys and providers, never values). Anything that is not a
 * polysecret error is a 500 whose text is not shown: it could quote anything.
 */

const STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  ACCESS_DENIED: 403,
  THROTTLED: 429,
  UNAVAILABLE: 503,
  CONFLICT: 409,
  READ_ONLY: 403,
  UNSUPPORTED: 501,
  VALIDATION: 400,
  CONFIG_INVALID: 400,
  INTEGRITY: 500,
  WRITE_FAILED: 502,
}

export interface ErrorBody {
  readonly error: {
    readonly code: string
    readonly message: string
    readonly key?: string
    readonly provider?: string
    readonly requestId?: string
  }
}

/** The status and body for an error thrown while serving a request. */
export function errorAnswer(
  error: unknown,
  requestId?: string,
): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (!isPolysecretError(error)) {
    return {
      status: 500,
      body: {
        error: {
          code: 'INTERNAL',
          message: 'Internal error; the audit log has the request id.',
          ...(requestId ? { requestId } : {}),
        },
      },
      headers: {},
    }
  }
  const headers: Record<string, string> = {}
  const retryAfter = retryAfterMs(error)
  if (retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfter / 1000)))
  return { status: STATUS[error.code] ?? 500, body: errorBody(error, requestId), headers }
}

/** The JSON form of one error, also used per key in batch answers. */
export function errorBody(error: PolysecretError, requestId?: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.key !== undefined ? { key: error.key } : {}),
      ...(error.provider !== undefined ? { provider: error.provider } : {}),
      ...(requestId ? { requestId } : {}),
    },
  }
}

function retryAfterMs(error: PolysecretError): number | undefined {
  if (error instanceof ThrottledError || error instanceof UnavailableError) return error.retryAfterMs
  return undefined
}

/** An error the server itself raises (authentication, authorization, limits), with its own code. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpProblem'
  }
}
