import { startFake } from '@polysecret/testing'
import {
  type ParameterStoreOptions,
  parameterStore,
  type SecretsManagerOptions,
  secretsManager,
} from '../src/index.js'

/** Fake credentials and region every test passes: the SDK signs, the fake checks a signature is there. */
export const FAKE_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
} as const

export type SecretsManagerFake = Awaited<ReturnType<typeof startSecretsManager>>
export type SsmFake = Awaited<ReturnType<typeof startSsm>>

export function startSecretsManager() {
  return startFake('aws-secrets-manager')
}

export function startSsm() {
  return startFake('aws-ssm')
}

/** A Secrets Manager provider pointed at a fake; one SDK attempt so request counts are exact. */
export function smFor(fake: { endpoint: string }, options: Partial<SecretsManagerOptions> = {}) {
  return secretsManager({
    ...FAKE_AWS,
    endpoint: fake.endpoint,
    maxAttempts: 1,
    ...options,
  } as SecretsManagerOptions)
}

/** A Parameter Store provider pointed at a fake; one SDK attempt so request counts are exact. */
export function ssmFor(fake: { endpoint: string }, options: Partial<ParameterStoreOptions> = {}) {
  return parameterStore({
    ...FAKE_AWS,
    endpoint: fake.endpoint,
    maxAttempts: 1,
    ...options,
  } as ParameterStoreOptions)
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}
