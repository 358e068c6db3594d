import {
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  InvalidFilterKey,
  PutParameterCommand,
} from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SsmFake, startFake } from '../src/index.js'
import { rejection, ssmClient } from './helpers.js'

/** SSM rules taken from the API reference (the Name/Names/Path/ParameterFilters member docs). */

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

const put = (Name: string, extra: Record<string, unknown> = {}) =>
  client.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String', ...extra }))

describe('parameter names', () => {
  it('trims spaces around a name and refuses spaces inside it with ValidationException', async () => {
    await put('  /t/x  ')
    expect(fake.state.names()).toEqual(['/t/x'])
    const got = await client.send(new GetParameterCommand({ Name: ' /t/x' }))
    expect(got.Parameter?.Name).toBe('/t/x')
    expect((await rejection(put('/t/a b'))).name).toBe('ValidationException')
    expect((await rejection(client.send(new GetParameterCommand({ Name: '/t/a b' })))).name).toBe(
      'ValidationException',
    )
    // One bad name fails the whole GetParameters request.
    const many = await rejection(client.send(new GetParametersCommand({ Names: ['/t/x', '/t/a b'] })))
    expect(many.name).toBe('ValidationException')
    const deleted = await client.send(new DeleteParametersCommand({ Names: [' /t/x', '/t/none'] }))
    expect(deleted).toMatchObject({ DeletedParameters: [' /t/x'], InvalidParameters: ['/t/none'] })
  })

  it('limits a name to 1011 characters counted with the ARN before it', async () => {
    const arnPrefix = 'arn:aws:ssm:us-east-1:123456789012:parameter'
    const longest = `/${'n'.repeat(1011 - arnPrefix.length - 1)}`
    expect((await put(longest)).Version).toBe(1)
    expect((await rejection(put(`${longest}n`))).name).toBe('ValidationException')
    // Flat names get a slash in the ARN, which counts too.
    const flat = 'f'.repeat(1011 - arnPrefix.length - 1)
    expect((await put(flat)).Version).toBe(1)
    expect((await rejection(put(`${flat}f`))).name).toBe('ValidationException')
  })

  it('reserves the aws and ssm prefixes: /aws/... is AccessDenied, the rest ValidationException', async () => {
    const flatAws = await rejection(put('awsThing'))
    expect(flatAws.name).toBe('ValidationException')
    expect(flatAws.message).toContain('"aws" or "ssm"')
    expect((await rejection(put('SSM-thing'))).name).toBe('ValidationException')
    expect((await rejection(put('/ssm/thing'))).name).toBe('ValidationException')
    expect((await rejection(put('/aws/thing'))).name).toBe('AccessDeniedException')
    expect((await rejection(put('a/b'))).message).toBe('Parameter name must be a fully qualified name.')
  })
})

describe('reads', () => {
  it('GetParameters lists Parameters in alphabetical order, InvalidParameters as asked', async () => {
    fake.seed({ '/b': '2', '/c': '3', '/a': '1' })
    const out = await client.send(new GetParametersCommand({ Names: ['/c', '/zz', '/a', '/b', '/yy'] }))
    expect(out.Parameters?.map((p) => p.Name)).toEqual(['/a', '/b', '/c'])
    expect(out.InvalidParameters).toEqual(['/zz', '/yy'])
  })

  it('GetParametersByPath accepts only Type, KeyId and Label filters (no tag:)', async () => {
    fake.seed({ '/p/a': '1' })
    const tag = client.send(
      new GetParametersByPathCommand({
        Path: '/p',
        ParameterFilters: [{ Key: 'tag:team', Values: ['core'] }],
      }),
    )
    expect(await rejection(tag)).toBeInstanceOf(InvalidFilterKey)
    const typed = await client.send(
      new GetParametersByPathCommand({ Path: '/p', ParameterFilters: [{ Key: 'Type', Values: ['String'] }] }),
    )
    expect(typed.Parameters?.map((p) => p.Name)).toEqual(['/p/a'])
  })
})
