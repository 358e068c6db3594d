import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  paginateListSecrets,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SecretsManagerFake, startFake } from '../src/index.js'
import { rejection, smClient } from './helpers.js'

let fake: SecretsManagerFake
let client: ReturnType<typeof smClient>
let clock = Date.UTC(2025, 0, 1)

beforeEach(async () => {
  clock = Date.UTC(2025, 0, 1)
  fake = await startFake('aws-secrets-manager', { seed: 7, now: () => clock })
  client = smClient(fake.endpoint)
})
afterEach(async () => {
  client.destroy()
  await fake.stop()
})

const TOKEN_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
const TOKEN_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'

describe('CreateSecret / GetSecretValue', () => {
  it('creates a string secret and reads it by name and by ARN', async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: 'prod/db', SecretString: 'pw1', ClientRequestToken: TOKEN_A }),
    )
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-[A-Za-z0-9]{6}$/,
    )
    expect(created.VersionId).toBe(TOKEN_A)

    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))
    expect(byName).toMatchObject({
      Name: 'prod/db',
      SecretString: 'pw1',
      VersionId: TOKEN_A,
      VersionStages: ['AWSCURRENT'],
    })
    expect(byName.CreatedDate).toEqual(new Date(clock))

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }))
    expect(byArn.SecretString).toBe('pw1')
    const byPartialArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN!.slice(0, -7) }))
    expect(byPartialArn.SecretString).toBe('pw1')
  })

  it('round-trips binary secrets as bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255])
    await client.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: bytes }))
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'bin' }))
    expect(out.SecretString).toBeUndefined()
    expect(Array.from(out.SecretBinary!)).toEqual([0, 1, 2, 254, 255])
    expect(fake.state.value('bin')).toEqual(bytes)
  })

  it('is idempotent for the same token and value, and refuses the same token with another value', async () => {
    const first = await client.send(
      new CreateSecretCommand({ Name: 's', SecretString: 'v', ClientRequestToken: TOKEN_A }),
    )
    const again = await client.send(
      new CreateSecretCommand({ Name: 's', SecretString: 'v', ClientRequestToken: TOKEN_A }),
    )
    expect(again.VersionId).toBe(first.VersionId)
    expect(
      await rejection(
        client.send(
          new CreateSecretCommand({ Name: 's', SecretString: 'other', ClientRequestToken: TOKEN_A }),
        ),
      ),
    ).toBeInstanceOf(ResourceExistsException)
    const other = await rejection(client.send(new CreateSecretCommand({ Name: 's', SecretString: 'v' })))
    expect(other).toBeInstanceOf(ResourceExistsException)
    expect(other.message).toContain('already exists')
  })

  it('rejects both SecretString and SecretBinary, and invalid names', async () => {
    const both = client.send(
      new CreateSecretCommand({ Name: 'x', SecretString: 'a', SecretBinary: new Uint8Array([1]) }),
    )
    expect(await rejection(both)).toBeInstanceOf(InvalidParameterException)
    expect(
      await rejection(client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'a' }))),
    ).toBeInstanceOf(InvalidParameterException)
  })

  it('maps missing secrets, versions and stages to ResourceNotFoundException', async () => {
    expect(await rejection(client.send(new GetSecretValueCommand({ SecretId: 'nope' })))).toBeInstanceOf(
      ResourceNotFoundException,
    )
    await client.send(new CreateSecretCommand({ Name: 'empty' }))
    const noValue = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'empty' })))
    expect(noValue).toBeInstanceOf(ResourceNotFoundException)
    expect(noValue.message).toContain('AWSCURRENT')
    fake.seed({ s: 'v' })
    expect(
      await rejection(client.send(new GetSecretValueCommand({ SecretId: 's', VersionId: TOKEN_B }))),
    ).toBeInstanceOf(ResourceNotFoundException)
    expect(
      await rejection(client.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: 'AWSPENDING' }))),
    ).toBeInstanceOf(ResourceNotFoundException)
  })
})

describe('versions and staging labels', () => {
  it('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old current', async () => {
    await client.send(new CreateSecretCommand({ Name: 's', SecretString: 'v1', ClientRequestToken: TOKEN_A }))
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    )
    expect(put).toMatchObject({ VersionId: TOKEN_B, VersionStages: ['AWSCURRENT'] })
    expect((await client.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v2')
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 's', VersionStage: 'AWSPREVIOUS' }),
    )
    expect(previous).toMatchObject({ SecretString: 'v1', VersionId: TOKEN_A })
    expect(
      (await client.send(new GetSecretValueCommand({ SecretId: 's', VersionId: TOKEN_A }))).SecretString,
    ).toBe('v1')

    // A third value: v1 loses every label and becomes deprecated.
    await client.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'v3' }))
    const described = await client.send(new DescribeSecretCommand({ SecretId: 's' }))
    expect(Object.values(described.VersionIdsToStages!).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']])
    expect(described.VersionIdsToStages![TOKEN_A]).toBeUndefined()
  })

  it('PutSecretValue honours token idempotency and explicit VersionStages', async () => {
    fake.seed({ s: 'v1' })
    const a = await client.send(
      new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_A }),
    )
    const again = await client.send(
      new PutSecretValueCommand({ SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_A }),
    )
    expect(again.VersionId).toBe(a.VersionId)
    expect(
      await rejection(
        client.send(
          new PutSecretValueCommand({ SecretId: 's', SecretString: 'v3', ClientRequestToken: TOKEN_A }),
        ),
      ),
    ).toBeInstanceOf(ResourceExistsException)

    const pending = await client.send(
      new PutSecretValueCommand({
        SecretId: 's',
        SecretString: 'next',
        ClientRequestToken: TOKEN_B,
        VersionStages: ['AWSPENDING'],
      }),
    )
    expect(pending.VersionStages).toEqual(['AWSPENDING'])
    expect((await client.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v2')
    expect(fake.requests.count('PutSecretValue')).toBe(4)
  })

  it('UpdateSecretVersionStage needs RemoveFromVersionId to move a held label and sets AWSPREVIOUS', async () => {
    await client.send(new CreateSecretCommand({ Name: 's', SecretString: 'v1', ClientRequestToken: TOKEN_A }))
    await client.send(
      new PutSecretValueCommand({
        SecretId: 's',
        SecretString: 'v2',
        ClientRequestToken: TOKEN_B,
        VersionStages: ['AWSPENDING'],
      }),
    )
    const missingRemove = await rejection(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 's',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN_B,
        }),
      ),
    )
    expect(missingRemove).toBeInstanceOf(InvalidParameterException)
    expect(missingRemove.message).toContain(TOKEN_A)

    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 's',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: TOKEN_B,
        RemoveFromVersionId: TOKEN_A,
      }),
    )
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: 's' }))
    const stages = Object.fromEntries(versions.Versions!.map((v) => [v.VersionId, v.VersionStages]))
    expect(stages[TOKEN_B]).toEqual(expect.arrayContaining(['AWSCURRENT', 'AWSPENDING']))
    expect(stages[TOKEN_A]).toEqual(['AWSPREVIOUS'])

    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 's',
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: TOKEN_B,
      }),
    )
    expect(
      (await client.send(new DescribeSecretCommand({ SecretId: 's' }))).VersionIdsToStages![TOKEN_B],
    ).toEqual(['AWSCURRENT'])
    const cannotRemoveCurrent = client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 's',
        VersionStage: 'AWSCURRENT',
        RemoveFromVersionId: TOKEN_B,
      }),
    )
    expect(await rejection(cannotRemoveCurrent)).toBeInstanceOf(InvalidParameterException)
  })

  it('ListSecretVersionIds hides deprecated versions unless asked, and paginates', async () => {
    fake.seed({ s: { versions: ['v1', 'v2', 'v3', 'v4'] } })
    const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: 's' }))
    expect(labelled.Versions).toHaveLength(2)
    const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: 's', IncludeDeprecated: true }))
    expect(all.Versions).toHaveLength(4)
    const page1 = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: 's', IncludeDeprecated: true, MaxResults: 3 }),
    )
    expect(page1.Versions).toHaveLength(3)
    const page2 = await client.send(
      new ListSecretVersionIdsCommand({
        SecretId: 's',
        IncludeDeprecated: true,
        MaxResults: 3,
        NextToken: page1.NextToken,
      }),
    )
    expect(page2.Versions).toHaveLength(1)
    expect(page2.NextToken).toBeUndefined()
    const bad = await rejection(
      client.send(new ListSecretVersionIdsCommand({ SecretId: 's', NextToken: 'garbage' })),
    )
    expect(bad).toBeInstanceOf(InvalidNextTokenException)
  })

  it('prunes deprecated versions beyond 100', async () => {
    fake.seed({ s: { versions: Array.from({ length: 105 }, (_, i) => `v${i}`) } })
    expect(fake.state.find('s')!.versions.size).toBe(100)
    expect(fake.state.value('s')).toBe('v104')
    expect(fake.state.value('s', 'AWSPREVIOUS')).toBe('v103')
  })

  it('UpdateSecret changes the description and writes a new current version', async () => {
    fake.seed({ s: 'v1' })
    const out = await client.send(
      new UpdateSecretCommand({ SecretId: 's', Description: 'database', SecretString: 'v2' }),
    )
    expect(out.VersionId).toBeDefined()
    expect(fake.state.value('s')).toBe('v2')
    expect(fake.state.value('s', 'AWSPREVIOUS')).toBe('v1')
    expect((await client.send(new DescribeSecretCommand({ SecretId: 's' }))).Description).toBe('database')
  })
})

describe('listing and batches', () => {
  beforeEach(() => {
    fake.seed({
      'prod/db': { value: 'a', description: 'Primary Database', tags: { team: 'core' } },
      'prod/api': { value: 'b', tags: { team: 'edge' } },
      'dev/db': 'c',
    })
  })

  it('ListSecrets filters by name, description, tags and all, with prefix semantics', async () => {
    const names = async (Filters: { Key: any; Values: string[] }[]) =>
      (await client.send(new ListSecretsCommand({ Filters }))).SecretList!.map((s) => s.Name).sort()
    expect(await names([{ Key: 'name', Values: ['prod/'] }])).toEqual(['prod/api', 'prod/db'])
    expect(await names([{ Key: 'name', Values: ['PROD/'] }])).toEqual([]) // name is case-sensitive
    expect(await names([{ Key: 'description', Values: ['primary'] }])).toEqual(['prod/db']) // description is not
    expect(await names([{ Key: 'tag-key', Values: ['te'] }])).toEqual(['prod/api', 'prod/db'])
    expect(await names([{ Key: 'tag-value', Values: ['edge'] }])).toEqual(['prod/api'])
    expect(await names([{ Key: 'all', Values: ['db'] }])).toEqual(['dev/db', 'prod/db'])
    expect(await names([{ Key: 'name', Values: ['!prod'] }])).toEqual(['dev/db'])
    expect(
      await names([
        { Key: 'name', Values: ['prod'] },
        { Key: 'tag-value', Values: ['core'] },
      ]),
    ).toEqual(['prod/db'])
    const bad = await rejection(
      client.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as any, Values: ['x'] }] })),
    )
    expect(bad.name).toBe('ValidationException')
  })

  it('ListSecrets paginates, enforces MaxResults ≤ 100 and hides planned deletions unless asked', async () => {
    const seen: string[] = []
    for await (const page of paginateListSecrets({ client, pageSize: 2 }, {})) {
      expect(page.SecretList!.length).toBeLessThanOrEqual(2)
      seen.push(...page.SecretList!.map((s) => s.Name!))
    }
    expect(seen.sort()).toEqual(['dev/db', 'prod/api', 'prod/db'])
    expect(fake.requests.count('ListSecrets')).toBe(2)
    const tooMany = await rejection(client.send(new ListSecretsCommand({ MaxResults: 101 })))
    expect(tooMany.name).toBe('ValidationException')
    expect(tooMany.$metadata.httpStatusCode).toBe(400)

    await client.send(new DeleteSecretCommand({ SecretId: 'dev/db' }))
    expect((await client.send(new ListSecretsCommand({}))).SecretList).toHaveLength(2)
    const withPlanned = await client.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))
    expect(withPlanned.SecretList!.find((s) => s.Name === 'dev/db')?.DeletedDate).toEqual(new Date(clock))
  })

  it('BatchGetSecretValue returns values plus per-id Errors, and enforces its limits', async () => {
    await client.send(new DeleteSecretCommand({ SecretId: 'dev/db' }))
    const out = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['prod/db', 'missing', 'dev/db'] }),
    )
    expect(out.SecretValues!.map((v) => [v.Name, v.SecretString])).toEqual([['prod/db', 'a']])
    expect(out.Errors).toEqual([
      expect.objectContaining({ SecretId: 'missing', ErrorCode: 'ResourceNotFoundException' }),
      expect.objectContaining({ SecretId: 'dev/db', ErrorCode: 'InvalidRequestException' }),
    ])
    expect(fake.requests.count('BatchGetSecretValue')).toBe(1)

    const ids = Array.from({ length: 21 }, (_, i) => `s${i}`)
    expect((await rejection(client.send(new BatchGetSecretValueCommand({ SecretIdList: ids })))).name).toBe(
      'ValidationException',
    )
    const both = client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['a'], Filters: [{ Key: 'name', Values: ['a'] }] }),
    )
    expect(await rejection(both)).toBeInstanceOf(InvalidParameterException)
  })

  it('BatchGetSecretValue with Filters paginates', async () => {
    const first = await client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['prod'] }], MaxResults: 1 }),
    )
    expect(first.SecretValues).toHaveLength(1)
    const second = await client.send(
      new BatchGetSecretValueCommand({
        Filters: [{ Key: 'name', Values: ['prod'] }],
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    )
    expect(second.SecretValues).toHaveLength(1)
    expect(second.NextToken).toBeUndefined()
    expect([first.SecretValues![0]!.Name, second.SecretValues![0]!.Name].sort()).toEqual([
      'prod/api',
      'prod/db',
    ])
  })
})

describe('deletion', () => {
  it('schedules deletion with a recovery window, blocks reads, restores, and purges after the window', async () => {
    fake.seed({ s: 'v' })
    const out = await client.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: 7 }))
    expect(out.DeletionDate).toEqual(new Date(clock + 7 * 86_400_000))
    expect(await rejection(client.send(new GetSecretValueCommand({ SecretId: 's' })))).toBeInstanceOf(
      InvalidRequestException,
    )
    const described = await client.send(new DescribeSecretCommand({ SecretId: 's' }))
    expect(described.DeletedDate).toEqual(new Date(clock))
    expect(
      await rejection(client.send(new CreateSecretCommand({ Name: 's', SecretString: 'x' }))),
    ).toBeInstanceOf(InvalidRequestException)

    await client.send(new RestoreSecretCommand({ SecretId: 's' }))
    expect((await client.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v')

    await client.send(new DeleteSecretCommand({ SecretId: 's' })) // default window: 30 days
    clock += 29 * 86_400_000
    expect(fake.state.names()).toContain('s')
    clock += 86_400_000
    expect(await rejection(client.send(new GetSecretValueCommand({ SecretId: 's' })))).toBeInstanceOf(
      ResourceNotFoundException,
    )
  })

  it('validates RecoveryWindowInDays and ForceDeleteWithoutRecovery', async () => {
    fake.seed({ s: 'v' })
    for (const RecoveryWindowInDays of [6, 31]) {
      const err = await rejection(
        client.send(new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays })),
      )
      expect(err).toBeInstanceOf(InvalidParameterException)
    }
    const both = client.send(
      new DeleteSecretCommand({ SecretId: 's', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
    )
    expect(await rejection(both)).toBeInstanceOf(InvalidParameterException)
    await client.send(new DeleteSecretCommand({ SecretId: 's', ForceDeleteWithoutRecovery: true }))
    expect(fake.state.names()).toEqual([])
    await client.send(new CreateSecretCommand({ Name: 's', SecretString: 'new' })) // the name is free at once
  })
})

it('TagResource adds tags that DescribeSecret reports', async () => {
  fake.seed({ s: 'v' })
  await client.send(new TagResourceCommand({ SecretId: 's', Tags: [{ Key: 'env', Value: 'prod' }] }))
  expect((await client.send(new DescribeSecretCommand({ SecretId: 's' }))).Tags).toEqual([
    { Key: 'env', Value: 'prod' },
  ])
})
