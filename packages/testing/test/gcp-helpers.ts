import { ParameterManagerClient } from '@google-cloud/parametermanager'
import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import type { GcpParameterManagerFake, GcpSecretManagerFake, GcpTransport } from '../src/index.js'

/** Both transports the official clients speak; every GCP reference test runs over each. */
export const TRANSPORTS: readonly GcpTransport[] = ['grpc', 'rest']

/** No retries: tests see every fault as it is. */
const NO_RETRY = { clientConfig: { interfaces: {} } }

/** The official Secret Manager client pointed at `fake` over `transport`. */
export function smClient(fake: GcpSecretManagerFake, transport: GcpTransport): SecretManagerServiceClient {
  return new SecretManagerServiceClient({ ...fake.clientOptions(transport), ...NO_RETRY })
}

/** The official Parameter Manager client pointed at `fake` over `transport`. */
export function pmClient(fake: GcpParameterManagerFake, transport: GcpTransport): ParameterManagerClient {
  return new ParameterManagerClient({ ...fake.clientOptions(transport), ...NO_RETRY })
}

/**
 * The canonical status of a client error, whichever transport carried it: gRPC errors carry the number
 * in `code`; with secret-manager 6.x over REST, gaxios raises on the HTTP status and the JSON body (with
 * the `status` name) is the message.
 */
export function statusOf(error: unknown): string {
  const e = error as { code?: unknown; message?: string }
  const names: Record<number, string> = {
    3: 'INVALID_ARGUMENT',
    5: 'NOT_FOUND',
    6: 'ALREADY_EXISTS',
    7: 'PERMISSION_DENIED',
    8: 'RESOURCE_EXHAUSTED',
    9: 'FAILED_PRECONDITION',
    13: 'INTERNAL',
    14: 'UNAVAILABLE',
  }
  try {
    const body = JSON.parse(e.message ?? '') as { error?: { status?: string } }
    if (body.error?.status) return body.error.status
  } catch {
    // not a REST body
  }
  return names[e.code as number] ?? `code ${String(e.code)}`
}
