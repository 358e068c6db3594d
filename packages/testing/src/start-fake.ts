import {
  type SecretsManagerFake,
  type SecretsManagerFakeOptions,
  startSecretsManagerFake,
} from './fakes/aws/secrets-manager.js'
import { type SsmFake, type SsmFakeOptions, startSsmFake } from './fakes/aws/ssm.js'
import {
  type AppConfigFake,
  type AppConfigFakeOptions,
  startAppConfigFake,
} from './fakes/azure/app-config.js'
import { type KeyVaultFake, type KeyVaultFakeOptions, startKeyVaultFake } from './fakes/azure/key-vault.js'
import {
  type GcpParameterManagerFake,
  type ParameterManagerFakeOptions as GcpParameterManagerFakeOptions,
  startParameterManagerFake as startGcpParameterManagerFake,
} from './fakes/gcp/parameter-manager.js'
import {
  type GcpSecretManagerFake,
  type SecretManagerFakeOptions as GcpSecretManagerFakeOptions,
  startSecretManagerFake as startGcpSecretManagerFake,
} from './fakes/gcp/secret-manager.js'
import {
  type KubernetesFake,
  type KubernetesFakeOptions,
  startKubernetesFake,
} from './fakes/kubernetes/kubernetes.js'
import { startVaultFake, type VaultFake, type VaultFakeOptions } from './fakes/vault/vault.js'

/**
 * One entry point for every wire-level fake. Each service name maps to its options and handle types
 * here; a new fake adds one line to {@link FakeServices} and one to the registry below, and the
 * compiler checks the two agree.
 */

/** Service name → the options it accepts and the handle it resolves to. */
export interface FakeServices {
  'aws-secrets-manager': { options: SecretsManagerFakeOptions; fake: SecretsManagerFake }
  'aws-ssm': { options: SsmFakeOptions; fake: SsmFake }
  'gcp-secret-manager': { options: GcpSecretManagerFakeOptions; fake: GcpSecretManagerFake }
  'gcp-parameter-manager': { options: GcpParameterManagerFakeOptions; fake: GcpParameterManagerFake }
  'azure-key-vault': { options: KeyVaultFakeOptions; fake: KeyVaultFake }
  'azure-app-configuration': { options: AppConfigFakeOptions; fake: AppConfigFake }
  kubernetes: { options: KubernetesFakeOptions; fake: KubernetesFake }
  vault: { options: VaultFakeOptions; fake: VaultFake }
}

/** Names accepted by {@link startFake}. */
export type FakeServiceName = keyof FakeServices

type Registry = {
  [S in FakeServiceName]: (options?: FakeServices[S]['options']) => Promise<FakeServices[S]['fake']>
}

const registry: Registry = {
  'aws-secrets-manager': startSecretsManagerFake,
  'aws-ssm': startSsmFake,
  'gcp-secret-manager': startGcpSecretManagerFake,
  'gcp-parameter-manager': startGcpParameterManagerFake,
  'azure-key-vault': startKeyVaultFake,
  'azure-app-configuration': startAppConfigFake,
  kubernetes: startKubernetesFake,
  vault: startVaultFake,
}

/** Service names that {@link startFake} knows, for suites that run against every fake. */
export const fakeServiceNames = Object.keys(registry) as FakeServiceName[]

/**
 * Starts an in-process fake of `service` on 127.0.0.1 with a random port. Point the official SDK at
 * `fake.endpoint`, arrange data with `fake.seed()`, break it with `fake.faults`, count calls with
 * `fake.requests`, and `await fake.stop()` (or `await using`) when done.
 *
 * @example
 * ```ts
 * import { startFake } from '@polysecret/testing'
 * import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'
 *
 * await using fake = await startFake('aws-secrets-manager', { secrets: { 'prod/db': 's3cret' } })
 * const client = new SecretsManagerClient({
 *   endpoint: fake.endpoint,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
 * })
 * const out = await client.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))
 * fake.requests.count('GetSecretValue') // 1
 * ```
 */
export function startFake<S extends FakeServiceName>(
  service: S,
  options?: FakeServices[S]['options'],
): Promise<FakeServices[S]['fake']> {
  const start = registry[service] as
    | ((options?: FakeServices[S]['options']) => Promise<FakeServices[S]['fake']>)
    | undefined
  if (!start) {
    return Promise.reject(
      new TypeError(
        `Unknown fake service "${String(service)}". Known services: ${fakeServiceNames.join(', ')}.`,
      ),
    )
  }
  return start(options)
}
