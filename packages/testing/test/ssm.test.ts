import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  HierarchyLevelLimitExceededException,
  HierarchyTypeMismatchException,
  InvalidFilterKey,
  InvalidNextToken,
  LabelParameterVersionCommand,
  ParameterAlreadyExists,
  ParameterMaxVersionLimitExceeded,
  ParameterNotFound,
  ParameterPatternMismatchException,
  ParameterVersionLabelLimitExceeded,
  ParameterVersionNotFound,
  PutParameterCommand,
  paginateGetParametersByPath,
} from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SsmFake, startFake } from '../src/index.js'
import { rejection, ssmClient } from './helpers.js'

let fake: SsmFake
let client: ReturnType<typeof ssmClient>

beforeEach(async () => {
  fake = await startFake('aws-ssm')
  client = ssmClient(fake.endpoint)
})
afterEach(async () => {
  client.destroy()
  await fake.stop()
})

describe('PutParameter / GetParameter', () => {
  it('creates version 1, refuses to overwrite without Overwrite, then versions up', async () => {
    expect(
      await client.send(new PutParameterCommand({ Name: '/app/url', Value: 'a', Type: 'String' })),
    ).toMatchObject({
      Version: 1,
      Tier: 'Standard',
    })
    const exists = await rejection(
      client.send(new PutParameterCommand({ Name: '/app/url', Value: 'b', Type: 'String' })),
    )
    expect(exists).toBeInstanceOf(ParameterAlreadyExists)
    const v2 = await client.send(new PutParameterCommand({ Name: '/app/url', Value: 'b', Overwrite: true }))
    expect(v2.Version).toBe(2)
    const got = await client.send(new GetParameterCommand({ Name: '/app/url' }))
    expect(got.Parameter).toMatchObject({
      Name: '/app/url',
      Type: 'String',
      Value: 'b',
      Version: 2,
      ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/url',
      DataType: 'text',
    })
    expect(got.Parameter!.LastModifiedDate).toBeInstanceOf(Date)
  })

  it('reads old versions and labels through selectors, and by ARN', async () => {
    fake.seed({ '/app/url': { values: ['v1', 'v2', 'v3'], labels: { stable: 1 } } })
    const v1 = await client.send(new GetParameterCommand({ Name: '/app/url:1' }))
    expect(v1.Parameter).toMatchObject({ Name: '/app/url', Value: 'v1', Version: 1, Selector: ':1' })
    const stable = await client.send(new GetParameterCommand({ Name: '/app/url:stable' }))
    expect(stable.Parameter).toMatchObject({ Value: 'v1', Selector: ':stable' })
    const byArn = await client.send(
      new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/url' }),
    )
    expect(byArn.Parameter!.Value).toBe('v3')

    expect(await rejection(client.send(new GetParameterCommand({ Name: '/app/url:9' })))).toBeInstanceOf(
      ParameterVersionNotFound,
    )
    expect(
      await rejection(client.send(new GetParameterCommand({ Name: '/app/url:nolabel' }))),
    ).toBeInstanceOf(ParameterNotFound)
    expect(await rejection(client.send(new GetParameterCommand({ Name: '/missing' })))).toBeInstanceOf(
      ParameterNotFound,
    )
  })

  it('hides SecureString values unless WithDecryption is set', async () => {
    await client.send(new PutParameterCommand({ Name: '/app/token', Value: 'hunter2', Type: 'SecureString' }))
    const hidden = await client.send(new GetParameterCommand({ Name: '/app/token' }))
    expect(hidden.Parameter!.Value).not.toContain('hunter2')
    expect(hidden.Parameter!.Value).toMatch(/^AQICAH/)
    const shown = await client.send(new GetParameterCommand({ Name: '/app/token', WithDecryption: true }))
    expect(shown.Parameter!.Value).toBe('hunter2')
  })

  it('validates names, hierarchy depth, type changes, patterns and value size', async () => {
    const put = (Name: string, extra: Record<string, unknown> = {}) =>
      rejection(client.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String', ...extra })))
    expect((await put('a/b')).name).toBe('ValidationException') // slash needs a leading slash
    expect((await put('/ssm-things')).name).toBe('ValidationException') // reserved prefix
    expect((await put('/bad name')).name).toBe('ValidationException')
    const deep = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`
    expect(await put(deep)).toBeInstanceOf(HierarchyLevelLimitExceededException)
    await client.send(
      new PutParameterCommand({
        Name: `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`,
        Value: 'ok',
        Type: 'String',
      }),
    )

    await client.send(new PutParameterCommand({ Name: '/h/p', Value: 'x', Type: 'String' }))
    expect(await put('/h/p', { Type: 'SecureString', Overwrite: true })).toBeInstanceOf(
      HierarchyTypeMismatchException,
    )
    expect(await put('/pattern', { AllowedPattern: '^\\d+$' })).toBeInstanceOf(
      ParameterPatternMismatchException,
    )
    const big = await rejection(
      client.send(new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(4097), Type: 'String' })),
    )
    expect(big.name).toBe('ValidationException')
    const advanced = await client.send(
      new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Advanced' }),
    )
    expect(advanced.Tier).toBe('Advanced')
    expect((await put('/new', { Type: undefined })).message).toContain('type is required')
    const tagsAndOverwrite = await put('/h/p', { Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })
    expect(tagsAndOverwrite.name).toBe('ValidationException')
  })
})

describe('batch and path reads', () => {
  beforeEach(() => {
    fake.seed({
      '/app/a': '1',
      '/app/b': '2',
      '/app/db/host': 'h',
      '/app/db/pass': { value: 'p', type: 'SecureString' },
      '/other/x': 'x',
    })
  })

  it('GetParameters returns found ones and lists unknown names, max 10', async () => {
    const out = await client.send(
      new GetParametersCommand({ Names: ['/app/a', '/nope', '/app/b:7', '/app/b:1'] }),
    )
    expect(out.Parameters!.map((p) => p.Value)).toEqual(['1', '2'])
    expect(out.InvalidParameters).toEqual(['/nope', '/app/b:7'])
    const names = Array.from({ length: 11 }, (_, i) => `/p${i}`)
    const tooMany = await rejection(client.send(new GetParametersCommand({ Names: names })))
    expect(tooMany.name).toBe('ValidationException')
    expect(tooMany.$metadata.httpStatusCode).toBe(400)
  })

  it('GetParametersByPath returns one level unless Recursive, and paginates with MaxResults ≤ 10', async () => {
    const oneLevel = await client.send(new GetParametersByPathCommand({ Path: '/app' }))
    expect(oneLevel.Parameters!.map((p) => p.Name)).toEqual(['/app/a', '/app/b'])
    const names: string[] = []
    for await (const page of paginateGetParametersByPath(
      { client, pageSize: 2 },
      { Path: '/app/', Recursive: true, WithDecryption: true },
    )) {
      names.push(...page.Parameters!.map((p) => `${p.Name}=${p.Value}`))
    }
    expect(names).toEqual(['/app/a=1', '/app/b=2', '/app/db/host=h', '/app/db/pass=p'])
    expect(fake.requests.count('GetParametersByPath')).toBe(3)

    const secure = await client.send(
      new GetParametersByPathCommand({
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
      }),
    )
    expect(secure.Parameters!.map((p) => p.Name)).toEqual(['/app/db/pass'])
    expect(secure.Parameters![0]!.Value).not.toBe('p')

    expect(
      (await rejection(client.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 })))).name,
    ).toBe('ValidationException')
    expect(
      await rejection(client.send(new GetParametersByPathCommand({ Path: '/app', NextToken: 'nope' }))),
    ).toBeInstanceOf(InvalidNextToken)
    const badFilter = client.send(
      new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }),
    )
    expect(await rejection(badFilter)).toBeInstanceOf(InvalidFilterKey)
  })

  it('DescribeParameters filters by name prefix and path', async () => {
    const out = await client.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/db'] }],
      }),
    )
    expect(out.Parameters!.map((p) => [p.Name, p.Type])).toEqual([
      ['/app/db/host', 'String'],
      ['/app/db/pass', 'SecureString'],
    ])
    const path = await client.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['/other'] }] }),
    )
    expect(path.Parameters!.map((p) => p.Name)).toEqual(['/other/x'])
  })

  it('DeleteParameter and DeleteParameters (max 10)', async () => {
    await client.send(new DeleteParameterCommand({ Name: '/app/a' }))
    expect(await rejection(client.send(new DeleteParameterCommand({ Name: '/app/a' })))).toBeInstanceOf(
      ParameterNotFound,
    )
    const out = await client.send(new DeleteParametersCommand({ Names: ['/app/b', '/gone'] }))
    expect(out).toMatchObject({ DeletedParameters: ['/app/b'], InvalidParameters: ['/gone'] })
    expect(fake.state.names()).toEqual(['/app/db/host', '/app/db/pass', '/other/x'])
    const names = Array.from({ length: 11 }, (_, i) => `/p${i}`)
    expect((await rejection(client.send(new DeleteParametersCommand({ Names: names })))).name).toBe(
      'ValidationException',
    )
  })
})

describe('history and labels', () => {
  it('GetParameterHistory lists versions with labels and paginates (MaxResults ≤ 50)', async () => {
    fake.seed({ '/p': { values: ['a', 'b', 'c'], labels: { old: 1 } } })
    const page1 = await client.send(new GetParameterHistoryCommand({ Name: '/p', MaxResults: 2 }))
    expect(page1.Parameters!.map((p) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, 'a', ['old']],
      [2, 'b', []],
    ])
    const page2 = await client.send(
      new GetParameterHistoryCommand({ Name: '/p', MaxResults: 2, NextToken: page1.NextToken }),
    )
    expect(page2.Parameters!.map((p) => p.Version)).toEqual([3])
    expect(
      (await rejection(client.send(new GetParameterHistoryCommand({ Name: '/p', MaxResults: 51 })))).name,
    ).toBe('ValidationException')
    expect(await rejection(client.send(new GetParameterHistoryCommand({ Name: '/nope' })))).toBeInstanceOf(
      ParameterNotFound,
    )
  })

  it('LabelParameterVersion moves labels between versions and reports invalid ones', async () => {
    fake.seed({ '/p': { values: ['a', 'b'] } })
    const first = await client.send(
      new LabelParameterVersionCommand({ Name: '/p', ParameterVersion: 1, Labels: ['prod', 'awsbad', '1x'] }),
    )
    expect(first).toMatchObject({ ParameterVersion: 1, InvalidLabels: ['awsbad', '1x'] })
    expect((await client.send(new GetParameterCommand({ Name: '/p:prod' }))).Parameter!.Value).toBe('a')

    const moved = await client.send(new LabelParameterVersionCommand({ Name: '/p', Labels: ['prod'] }))
    expect(moved.ParameterVersion).toBe(2) // defaults to the latest version
    expect((await client.send(new GetParameterCommand({ Name: '/p:prod' }))).Parameter!.Value).toBe('b')
    expect(fake.state.get('/p')!.versions[0]!.labels).toEqual([])

    const eleven = Array.from({ length: 11 }, (_, i) => `l${i}`)
    await client.send(
      new LabelParameterVersionCommand({ Name: '/p', ParameterVersion: 1, Labels: eleven.slice(0, 10) }),
    )
    const over = client.send(
      new LabelParameterVersionCommand({ Name: '/p', ParameterVersion: 1, Labels: ['l10'] }),
    )
    expect(await rejection(over)).toBeInstanceOf(ParameterVersionLabelLimitExceeded)
    const missing = client.send(
      new LabelParameterVersionCommand({ Name: '/p', ParameterVersion: 5, Labels: ['x'] }),
    )
    expect(await rejection(missing)).toBeInstanceOf(ParameterVersionNotFound)
  })

  it('keeps 100 versions, dropping the oldest unless it is labelled', async () => {
    fake.seed({ '/p': { values: Array.from({ length: 100 }, (_, i) => `v${i + 1}`) } })
    const v101 = await client.send(new PutParameterCommand({ Name: '/p', Value: 'v101', Overwrite: true }))
    expect(v101.Version).toBe(101)
    expect(fake.state.get('/p')!.versions).toHaveLength(100)
    expect(await rejection(client.send(new GetParameterCommand({ Name: '/p:1' })))).toBeInstanceOf(
      ParameterVersionNotFound,
    )

    await client.send(
      new LabelParameterVersionCommand({ Name: '/p', ParameterVersion: 2, Labels: ['pinned'] }),
    )
    const blocked = client.send(new PutParameterCommand({ Name: '/p', Value: 'v102', Overwrite: true }))
    expect(await rejection(blocked)).toBeInstanceOf(ParameterMaxVersionLimitExceeded)
  })
})
