/**
 * Error codes (Node's `err.code`, undici's, axios-style) that mean a store could not be reached or the
 * connection broke: provider packages map an SDK error carrying one onto `UnavailableError`, which the
 * manager retries and falls back from. A package adds the codes only its SDK uses.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
])

/** Messages SDKs and fetch implementations give a body that stopped before its end. */
const CUT_SHORT =
  /^(aborted|terminated)$|premature close|invalid response body|error reading response|stream has been aborted/i

/**
 * Whether an error says the store's answer could not be decoded: a body cut short by a dropped
 * connection, or one that is not the service's format (an HTML error page from a proxy where JSON was
 * promised). Both are failures of the path to the store, not of the request: provider packages map them
 * onto `UnavailableError`, so the manager retries, falls back, and serves stale-if-error — never a
 * value parsed from half an answer. Walks `cause` a few levels (SDKs wrap the parser's error).
 */
export function isUndecodableAnswer(error: unknown): boolean {
  let current = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | undefined
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof SyntaxError || current.name === 'SyntaxError') return true
    if (current.code === 'PARSE_ERROR') return true // @azure/core-rest-pipeline's RestError for an unparsable body
    if (typeof current.message === 'string' && CUT_SHORT.test(current.message)) return true
    current = current.cause as typeof current
  }
  return false
}
