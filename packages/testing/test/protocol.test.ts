import { request } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SecretsManagerFake, startFake } from '../src/index.js'

/** A raw JSON 1.1 call, to see what the fake answers to requests no SDK would send. */
function raw(
  endpoint: string,
  headers: Record<string, string>,
  body = '{}',
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, { method: 'POST', headers }, (res) => {
      let data = ''
      res.on('data', (c) => (data += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const signed = {
  'Content-Type': 'application/x-amz-json-1.1',
  'X-Amz-Date': '20250101T000000Z',
  Authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDFAKE/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc',
}

let fake: SecretsManagerFake
beforeEach(async () => {
  fake = await startFake('aws-secrets-manager', { secrets: { s: 'v' } })
})
afterEach(() => fake.stop())

describe('AWS JSON 1.1 envelope', () => {
  it('answers a well-formed request with the operation result', async () => {
    const res = await raw(
      fake.endpoint,
      { ...signed, 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      '{"SecretId":"s"}',
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ Name: 's', SecretString: 'v' })
    expect(typeof res.body.CreatedDate).toBe('number') // epoch seconds, not ISO strings
  })

  it('requires an Authorization header, and a complete SigV4 one', async () => {
    const { Authorization: _, ...unsigned } = signed
    const missing = await raw(
      fake.endpoint,
      { ...unsigned, 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      '{"SecretId":"s"}',
    )
    expect(missing).toMatchObject({ status: 400, body: { __type: 'MissingAuthenticationTokenException' } })
    const partial = await raw(fake.endpoint, {
      ...signed,
      Authorization: 'Bearer x',
      'X-Amz-Target': 'secretsmanager.GetSecretValue',
    })
    expect(partial).toMatchObject({ status: 400, body: { __type: 'IncompleteSignatureException' } })
  })

  it('rejects unknown operations, other services and other content types', async () => {
    expect(
      await raw(fake.endpoint, { ...signed, 'X-Amz-Target': 'secretsmanager.RotateSecret' }),
    ).toMatchObject({
      status: 400,
      body: { __type: 'UnknownOperationException' },
    })
    expect(
      (await raw(fake.endpoint, { ...signed, 'X-Amz-Target': 'AmazonSSM.GetParameter' })).body.__type,
    ).toBe('UnknownOperationException')
    const wrongType = await raw(fake.endpoint, {
      ...signed,
      'Content-Type': 'application/json',
      'X-Amz-Target': 'secretsmanager.ListSecrets',
    })
    expect(wrongType.body.__type).toBe('SerializationException')
    expect(fake.requests.count('unknown')).toBe(2)
  })

  it('reports a missing required member as ValidationException', async () => {
    const res = await raw(fake.endpoint, { ...signed, 'X-Amz-Target': 'secretsmanager.GetSecretValue' }, '{}')
    expect(res).toMatchObject({ status: 400, body: { __type: 'ValidationException' } })
    expect(res.body.message).toContain("'secretId'")
  })
})

describe('startFake', () => {
  it('listens on loopback with a random port and logs requests per operation', async () => {
    await using other = await startFake('aws-secrets-manager')
    expect(fake.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(other.port).not.toBe(fake.port)
    await raw(
      fake.endpoint,
      { ...signed, 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      '{"SecretId":"s"}',
    )
    expect(fake.requests.total).toBe(1)
    expect(fake.requests.last('GetSecretValue')?.input).toEqual({ SecretId: 's' })
    fake.requests.reset()
    expect(fake.requests.count()).toBe(0)
  })

  it('stops on asyncDispose so the port refuses connections', async () => {
    let endpoint = ''
    {
      await using scoped = await startFake('aws-ssm')
      endpoint = scoped.endpoint
    }
    await expect(raw(endpoint, signed)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('names the known services when given an unknown one', async () => {
    await expect(startFake('gcp-nope' as 'aws-ssm')).rejects.toThrow(/aws-secrets-manager, aws-ssm/)
  })
})
