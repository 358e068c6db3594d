/**
 * Every provider against its wire fake, seeded with the same ten keys, for the fault matrix. Each
 * target starts its fake and builds a provider with the official SDK pointed at it; the manager does
 * the retrying (every provider's SDK-level retries are off by default).
 */
import { parameterStore, secretsManager } from '@polysecret/aws'
import { appConfiguration, keyVault } from '@polysecret/azure'
import type { Provider } from '@polysecret/core'
import { parameterManager, secretManager } from '@polysecret/gcp'
import { kubernetesSecrets } from '@polysecret/kubernetes'
import { type Faults, type RequestLog, startFake } from '@polysecret/testing'
import { vaultKv } from '@polysecret/vault'
import { FAKE_AWS } from '../support/aws.js'

export const KEY_COUNT = 10
/** The manager-facing key and the value the store holds, for key `i`. */
export const keyOf = (i: number) => `SERVICE_${i}_TOKEN`
export const expectedValue = (i: number) => `token-value-${i}`

export interface Target {
  readonly store: string
  /** A new provider on the fake (each manager closes its own). */
  provider(): Provider
  readonly faults: Faults
  readonly requests: RequestLog
  stop(): Promise<void>
}

const entries = <T>(map: (i: number) => [string, T]) =>
  Object.fromEntries(Array.from({ length: KEY_COUNT }, (_, i) => map(i)))

export const TARGETS: Record<string, () => Promise<Target>> = {
  'aws-secrets-manager': async () => {
    const fake = await startFake('aws-secrets-manager', { seed: 1 })
    fake.seed(entries((i) => [keyOf(i), expectedValue(i)]))
    const provider = () => secretsManager({ ...FAKE_AWS, endpoint: fake.endpoint, maxAttempts: 1 })
    return {
      store: 'aws-secrets-manager',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'aws-ssm': async () => {
    const fake = await startFake('aws-ssm', { seed: 2 })
    fake.seed(entries((i) => [`/app/${keyOf(i)}`, expectedValue(i)]))
    const provider = () =>
      parameterStore({ ...FAKE_AWS, endpoint: fake.endpoint, prefix: '/app/', maxAttempts: 1 })
    return {
      store: 'aws-ssm',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'gcp-secret-manager (gRPC)': async () => {
    const fake = await startFake('gcp-secret-manager', {
      seed: 3,
      secrets: entries((i) => [keyOf(i), expectedValue(i)]),
    })
    const provider = () =>
      secretManager({ projectId: fake.projectId, clientOptions: fake.clientOptions('grpc') })
    return {
      store: 'gcp-secret-manager (gRPC)',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'gcp-secret-manager (REST)': async () => {
    const fake = await startFake('gcp-secret-manager', {
      seed: 4,
      secrets: entries((i) => [keyOf(i), expectedValue(i)]),
    })
    const provider = () =>
      secretManager({ projectId: fake.projectId, clientOptions: fake.clientOptions('rest') })
    return {
      store: 'gcp-secret-manager (REST)',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'gcp-parameter-manager': async () => {
    const parameters = entries((i) => [keyOf(i), { versions: { v1: expectedValue(i) } }])
    const fake = await startFake('gcp-parameter-manager', { seed: 5, parameters })
    const provider = () =>
      parameterManager({ projectId: fake.projectId, clientOptions: fake.clientOptions('grpc') })
    return {
      store: 'gcp-parameter-manager',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'azure-key-vault': async () => {
    const fake = await startFake('azure-key-vault', {
      seed: 6,
      secrets: entries((i) => [keyOf(i).toLowerCase().replaceAll('_', '-'), expectedValue(i)]),
    })
    const provider = () =>
      keyVault({
        vaultUrl: fake.vaultUrl,
        credential: fake.credential,
        clientOptions: fake.clientOptions as never,
      })
    return {
      store: 'azure-key-vault',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  'azure-app-configuration': async () => {
    const settings = Array.from({ length: KEY_COUNT }, (_, i) => ({ key: keyOf(i), value: expectedValue(i) }))
    const fake = await startFake('azure-app-configuration', { seed: 7, settings })
    const provider = () =>
      appConfiguration({
        connectionString: fake.connectionString,
        clientOptions: fake.clientOptions as never,
      })
    return {
      store: 'azure-app-configuration',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  kubernetes: async () => {
    const fake = await startFake('kubernetes', {
      seed: 8,
      namespaces: ['apps'],
      secrets: { 'apps/tokens': { data: entries((i) => [keyOf(i), expectedValue(i)]) } },
    })
    const provider = () =>
      kubernetesSecrets({ namespace: 'apps', name: 'tokens', kubeconfig: fake.kubeconfig })
    return {
      store: 'kubernetes',
      provider,
      faults: fake.faults,
      requests: fake.requests,
      stop: () => fake.stop(),
    }
  },
  vault: async () => {
    const fake = await startFake('vault', {
      seed: 9,
      secrets: entries((i) => [`secret/app/${keyOf(i)}`, { value: expectedValue(i) }]),
    })
    const provider = () =>
      vaultKv({ endpoint: fake.endpoint, mount: 'secret', prefix: 'app/', auth: fake.rootToken })
    return { store: 'vault', provider, faults: fake.faults, requests: fake.requests, stop: () => fake.stop() }
  },
}
