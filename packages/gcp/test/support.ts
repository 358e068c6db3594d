import {
  type GcpParameterManagerFake,
  type GcpSecretManagerFake,
  type GcpTransport,
  startFake,
} from '@polysecret/testing'
import {
  type ParameterManagerSettings,
  parameterManager,
  type SecretManagerSettings,
  secretManager,
} from '../src/index.js'

export const TRANSPORTS: readonly GcpTransport[] = ['grpc', 'rest']

/** A Secret Manager fake, seeded by secret id. */
export function startSecretManager(secrets: Record<string, string> = {}): Promise<GcpSecretManagerFake> {
  return startFake('gcp-secret-manager', { secrets })
}

/** A Parameter Manager fake linked to a Secret Manager fake (for `__REF__` rendering). */
export async function startParameterManager(
  parameters: Record<string, string> = {},
  secretManagerFake?: GcpSecretManagerFake,
): Promise<GcpParameterManagerFake> {
  return startFake('gcp-parameter-manager', {
    ...(secretManagerFake && { secretManager: secretManagerFake }),
    parameters: Object.fromEntries(
      Object.entries(parameters).map(([id, value]) => [id, { versions: { v1: value } }]),
    ),
  })
}

/** The provider on the official client over `transport`, pointed at the fake. */
export function smFor(
  fake: GcpSecretManagerFake,
  transport: GcpTransport,
  settings: SecretManagerSettings = {},
) {
  return secretManager({
    projectId: fake.projectId,
    clientOptions: fake.clientOptions(transport),
    ...settings,
  })
}

export function pmFor(
  fake: GcpParameterManagerFake,
  transport: GcpTransport,
  settings: ParameterManagerSettings = {},
) {
  return parameterManager({
    projectId: fake.projectId,
    clientOptions: fake.clientOptions(transport),
    ...settings,
  })
}
