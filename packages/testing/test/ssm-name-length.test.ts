import { GetParameterCommand, GetParametersCommand } from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SsmFake, startFake } from '../src/index.js'
import { rejection, ssmClient } from './helpers.js'

/**
 * GetParameter `Name` and each GetParameters `Names` member: "Length Constraints: Minimum length of 1.
 * Maximum length of 2048." (API reference). A member breaking it fails the whole call.
 */
let fake: SsmFake
let client: ReturnType<typeof ssmClient>
beforeEach(async () => {
  fake = await startFake('aws-ssm')
  fake.seed({ '/t/x': 'v' })
  client = ssmClient(fake.endpoint)
})
afterEach(async () => {
  client.destroy()
  await fake.stop()
})

describe('SSM name length on reads', () => {
  it('GetParameters refuses the whole call when one name is longer than 2048 characters', async () => {
    const longest = `/${'n'.repeat(2047)}`
    const ok = await client.send(new GetParametersCommand({ Names: ['/t/x', longest] }))
    expect(ok.InvalidParameters).toEqual([longest])
    const refused = await rejection(client.send(new GetParametersCommand({ Names: ['/t/x', `${longest}n`] })))
    expect(refused.name).toBe('ValidationException')
    expect(refused.message).toContain('less than or equal to 2048')
  })

  it('GetParameter refuses a name longer than 2048 characters', async () => {
    const refused = await rejection(client.send(new GetParameterCommand({ Name: `/${'n'.repeat(2048)}` })))
    expect(refused.name).toBe('ValidationException')
  })
})
