/**
 * One key SSM cannot name (`LOG LEVEL`) used to fail every key of its GetParameters batch — SSM refuses
 * the whole call — with no fallback and an error saying "tried no provider". Now the bad key alone
 * fails, with a ValidationError naming the provider, and the rest of the batch loads. Real SDK, SSM
 * wire fake (which refuses a name with a space the way SSM does: the whole call, ValidationException).
 */
import { parameterStore } from '@polysecret/aws'
import { ConfigManager, ConfigValidationError, memory, ValidationError } from '@polysecret/core'
import { type SsmFake, startFake } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const AWS = { ...FAKE_AWS, maxAttempts: 1 } as const
const defer = stopAfterEach()

const VALID = Array.from({ length: 12 }, (_, i) => `SERVICE_${i}_URL`)

async function setup(options: { fallback?: boolean } = {}) {
  const fake: SsmFake = await startFake('aws-ssm')
  defer(() => fake.stop())
  fake.seed(Object.fromEntries(VALID.map((k) => [`/app/${k}`, `https://${k.toLowerCase()}.internal`])))
  const manager = new ConfigManager({
    parameters: [
      parameterStore({ ...AWS, endpoint: fake.endpoint, prefix: '/app/' }),
      ...(options.fallback ? [memory({ 'LOG LEVEL': 'from-the-fallback' }, { name: 'fallback' })] : []),
    ],
    retry: { retries: 2, baseDelay: 1, maxDelay: 2 },
    allowWrites: true,
  })
  defer(() => manager.close())
  return { fake, manager }
}

const namesSent = (fake: SsmFake) =>
  fake.requests.all('GetParameters').flatMap((r) => (r.input as { Names: string[] }).Names)

describe('Parameter Store: a key SSM cannot name', () => {
  it('fails alone with a ValidationError naming the provider; the rest of the batch loads', async () => {
    const { fake, manager } = await setup({ fallback: true })
    const { values, errors } = await manager.getMany(['LOG LEVEL', ...VALID])

    for (const key of VALID) expect(values[key]).toBe(`https://${key.toLowerCase()}.internal`)
    expect(Object.keys(errors)).toEqual(['LOG LEVEL'])
    const error = errors['LOG LEVEL']!
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.provider).toBe('aws-ssm')
    expect(error.key).toBe('LOG LEVEL')
    expect(error.message).toContain('(provider "aws-ssm")')
    expect(error.message).toContain('"/app/LOG LEVEL"')
    expect(error.message).toContain('contains a space')
    expect(error.tried.map((t) => t.provider)).toEqual(['aws-ssm'])
    // A ValidationError does not fall back (default policy): the fallback's value is not served.
    expect(Object.values(values)).not.toContain('from-the-fallback')

    // Checked before the call: the bad name never reached SSM, the 12 good ones took two calls.
    expect(namesSent(fake)).not.toContain('/app/LOG LEVEL')
    expect(namesSent(fake).sort()).toEqual(VALID.map((k) => `/app/${k}`).sort())
    expect(fake.requests.count('GetParameters')).toBe(2)
  })

  it('load() names the provider in the issue instead of "tried no provider"', async () => {
    const { manager } = await setup()
    const schema = z.object({ 'LOG LEVEL': z.string(), SERVICE_0_URL: z.string(), SERVICE_1_URL: z.string() })
    const error = await manager.load(schema).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConfigValidationError)
    const issues = (error as ConfigValidationError).issues
    expect(issues.map((i) => i.key)).toEqual(['LOG LEVEL'])
    expect(issues[0]!.provider).toBe('aws-ssm')
    expect(issues[0]!.message).toContain('VALIDATION: could not be read (tried aws-ssm)')
    expect((error as Error).message).not.toContain('no provider')
  })

  it('a single read of the key fails the same way without a request', async () => {
    const { fake, manager } = await setup()
    const error = await manager.get('LOG LEVEL').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).provider).toBe('aws-ssm')
    expect(fake.requests.total).toBe(0)
  })

  it('a write to a reserved or malformed name is refused before the call, naming the rule', async () => {
    const fake: SsmFake = await startFake('aws-ssm')
    defer(() => fake.stop())
    const ssm = parameterStore({ ...AWS, endpoint: fake.endpoint })
    await expect(ssm.set('awsThing', 'v')).rejects.toThrow(/reserved by AWS/)
    await expect(ssm.set('/ssm/thing', 'v')).rejects.toThrow(/reserved by AWS/)
    await expect(ssm.set('app/db', 'v')).rejects.toThrow(/must start with "\/"/)
    await expect(ssm.set('/app//db', 'v')).rejects.toThrow(/empty hierarchy level/)
    await expect(ssm.set('/app/db#password', 'v')).rejects.toBeInstanceOf(ValidationError)
    expect(fake.requests.total).toBe(0)
    // Reads may name AWS's public parameters.
    expect(await ssm.get('/aws/service/global-infrastructure/version')).toBeUndefined()
    expect(fake.requests.count('GetParameter')).toBe(1)
    ssm.close()
  })

  it('a batch SSM still refuses (ValidationException) is split until the refused name stands alone', async () => {
    const { fake, manager } = await setup()
    // SSM may refuse a call for a rule beyond its documented ones: refuse the first call of ten names.
    fake.faults.errorRate(1, {
      status: 400,
      type: 'ValidationException',
      message: 'refused',
      operations: ['GetParameters'],
      times: 1,
    })
    const ten = VALID.slice(0, 10)
    const { values, errors } = await manager.getMany(ten)
    expect(errors).toEqual({})
    for (const key of ten) expect(values[key]).toBe(`https://${key.toLowerCase()}.internal`)
    // The refused call of 10, then its halves of 5 and 5.
    expect(
      fake.requests.all('GetParameters').map((r) => (r.input as { Names: string[] }).Names.length),
    ).toEqual([10, 5, 5])
  })
})
