import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SSMClient } from '@aws-sdk/client-ssm'
import { ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { parameterStore, secretsManager } from '../src/index.js'
import { FAKE_AWS } from './support.js'

const message = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return (error as Error).message
  }
  throw new Error('expected a ValidationError')
}

describe('eager option validation', () => {
  it('secretsManager reports every problem at once', () => {
    const text = message(() =>
      secretsManager({
        name: '',
        region: 'US EAST',
        endpoint: 'not a url',
        recoveryWindowDays: 3,
        concurrency: 0,
        maxAttempts: 1.5,
      }),
    )
    expect(text).toContain('name must be a non-empty string')
    expect(text).toContain('region must look like')
    expect(text).toContain('endpoint must be an http(s) URL')
    expect(text).toContain('recoveryWindowDays must be an integer from 7 to 30')
    expect(text).toContain('concurrency must be an integer >= 1')
    expect(text).toContain('maxAttempts must be an integer >= 1')
  })

  it('client and connection options are either/or (types and runtime)', () => {
    const client = new SecretsManagerClient(FAKE_AWS)
    // @ts-expect-error a client excludes region
    expect(message(() => secretsManager({ client, region: 'us-east-1' }))).toContain(
      'either client or region',
    )
    expect(message(() => secretsManager({ client: {} as SecretsManagerClient }))).toContain(
      'client must be an AWS SDK v3 client',
    )
    expect(secretsManager({ client }).type).toBe('aws-secrets-manager')
    client.destroy()
  })

  it('rejects malformed credentials', () => {
    const credentials = { accessKeyId: 'AKIDFAKE' } as unknown as typeof FAKE_AWS.credentials
    expect(message(() => secretsManager({ credentials }))).toContain('credentials must be')
  })

  it('parameterStore validates prefix and keyMapping', () => {
    expect(message(() => parameterStore({ prefix: 'app/' }))).toContain('prefix must start and end with "/"')
    expect(message(() => parameterStore({ prefix: '/app' }))).toContain('prefix must start and end with "/"')
    expect(message(() => parameterStore({ keyMapping: 'snake' as 'path' }))).toContain('keyMapping must be')
    expect(message(() => parameterStore({ keyMapping: 'dotted' }))).toContain('needs a prefix')
    const client = new SSMClient(FAKE_AWS)
    // @ts-expect-error a client excludes endpoint
    expect(message(() => parameterStore({ client, endpoint: 'http://127.0.0.1:1' }))).toContain(
      'either client or endpoint',
    )
    client.destroy()
    expect(parameterStore({ prefix: '/' }).name).toBe('aws-ssm')
  })

  it('defaults: names, types and capabilities', () => {
    const sm = secretsManager(FAKE_AWS)
    expect(sm).toMatchObject({ name: 'aws-secrets-manager', type: 'aws-secrets-manager' })
    expect(sm.capabilities).toEqual({
      list: true,
      write: true,
      delete: true,
      versions: true,
      batch: true,
      watch: true,
      rollback: true,
      tags: true,
    })
    const ssm = parameterStore({ ...FAKE_AWS, name: 'ssm-eu' })
    expect(ssm).toMatchObject({ name: 'ssm-eu', type: 'aws-ssm' })
    expect(ssm.capabilities).toMatchObject({ batch: true, watch: true, rollback: false })
  })
})
