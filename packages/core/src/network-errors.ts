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
