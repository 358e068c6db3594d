import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SecretsManagerFake, startFake } from '../src/index.js'
import { rejection, smClient } from './helpers.js'

/**
 * Behaviour checked against the AWS references (API reference, service model, observed responses)
 * rather than against what polysecret happens to need. Raw POSTs where the SDK would hide the wire.
 */

const TOKEN_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
const TOKEN_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'

async function post(endpoint: string, target: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, ...headers },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

describe('missing authentication (JSON 1.1 front end)', () => {
  it('answers 400 MissingAuthenticationTokenException "Missing Authentication Token" on both services', async () => {
    await using sm = await startFake('aws-secrets-manager', { secrets: { s: 'v' } })
    await using ssm = await startFake('aws-ssm')
    const a = await post(sm.endpoint, 'secretsmanager.GetSecretValue', { SecretId: 's' })
    const b = await post(ssm.endpoint, 'AmazonSSM.GetParameter', { Name: '/x' })
    for (const res of [a, b]) {
      expect(res).toEqual({
        status: 400,
        body: { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
      })
    }
  })
})

describe("Secrets Manager (API reference, moto's AWS-verified cases)", () => {
  let fake: SecretsManagerFake
  let client: ReturnType<typeof smClient>
  beforeEach(async () => {
    fake = await startFake('aws-secrets-manager')
    client = smClient(fake.endpoint)
  })
  afterEach(async () => {
    client.destroy()
    await fake.stop()
  })

  it('GetSecretValue with a VersionId that lacks the VersionStage is InvalidRequestException', async () => {
    await client.send(new CreateSecretCommand({ Name: 's', SecretString: 'v1', ClientRequestToken: TOKEN_A }))
    await client.send(
      new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    )
    const mismatch = await rejection(
      client.send(
        new GetSecretValueCommand({ SecretId: 's', VersionId: TOKEN_A, VersionStage: 'AWSCURRENT' }),
      ),
    )
    expect(mismatch).toBeInstanceOf(InvalidRequestException)
    expect(mismatch.message).toBe(
      'You provided a VersionStage that is not associated to the provided VersionId.',
    )
    const both = await client.send(
      new GetSecretValueCommand({ SecretId: 's', VersionId: TOKEN_A, VersionStage: 'AWSPREVIOUS' }),
    )
    expect(both.SecretString).toBe('v1')
    // An unknown VersionId stays a missing value.
    const unknown = await rejection(
      client.send(
        new GetSecretValueCommand({ SecretId: 's', VersionId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' }),
      ),
    )
    expect(unknown).toBeInstanceOf(ResourceNotFoundException)
  })

  it('refuses a ClientRequestToken outside 32–64 characters', async () => {
    const short = await rejection(
      client.send(new CreateSecretCommand({ Name: 's', SecretString: 'v', ClientRequestToken: 'short' })),
    )
    expect(short).toBeInstanceOf(InvalidParameterException)
    fake.seed({ s: 'v' })
    const long = await rejection(
      client.send(
        new PutSecretValueCommand({ SecretId: 's', SecretString: 'w', ClientRequestToken: 'x'.repeat(65) }),
      ),
    )
    expect(long).toBeInstanceOf(InvalidParameterException)
    expect(fake.state.value('s')).toBe('v')
  })

  it('DeleteSecret with ForceDeleteWithoutRecovery succeeds for a secret that does not exist', async () => {
    const out = await client.send(
      new DeleteSecretCommand({ SecretId: 'never-was', ForceDeleteWithoutRecovery: true }),
    )
    expect(out.Name).toBe('never-was')
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:never-was-.{6}$/)
    expect(out.DeletionDate).toBeInstanceOf(Date)
    // Without force a missing secret is still ResourceNotFoundException, and the option check comes first.
    expect(await rejection(client.send(new DeleteSecretCommand({ SecretId: 'never-was' })))).toBeInstanceOf(
      ResourceNotFoundException,
    )
    const conflicting = client.send(
      new DeleteSecretCommand({
        SecretId: 'never-was',
        ForceDeleteWithoutRecovery: true,
        RecoveryWindowInDays: 7,
      }),
    )
    expect(await rejection(conflicting)).toBeInstanceOf(InvalidParameterException)
    const badWindow = client.send(new DeleteSecretCommand({ SecretId: 'never-was', RecoveryWindowInDays: 3 }))
    expect(await rejection(badWindow)).toBeInstanceOf(InvalidParameterException)
  })

  it('GetSecretValue of a secret scheduled for deletion is InvalidRequestException (400)', async () => {
    fake.seed({ gone: { value: 'x', deleted: true } })
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'gone' })))
    expect(error).toBeInstanceOf(InvalidRequestException)
    expect(error.message).toContain('marked for deletion')
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('BatchGetSecretValue: SecretIdList xor Filters, MaxResults only with Filters (InvalidParameterException)', async () => {
    const both = client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['a'], Filters: [{ Key: 'name', Values: ['a'] }] }),
    )
    const bothError = await rejection(both)
    expect(bothError).toBeInstanceOf(InvalidParameterException)
    expect(bothError.message).toBe("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    const maxWithIds = await rejection(
      client.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'], MaxResults: 5 })),
    )
    expect(maxWithIds).toBeInstanceOf(InvalidParameterException)
    expect(maxWithIds.message).toContain("'Filters' must also be specified when 'MaxResults' is provided")
  })
})
