import { CreateSecretCommand, GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager'
import { expect, it } from 'vitest'
import { startFake } from '../src/index.js'
import { smClient, rejection } from './helpers.js'

it('smoke', async () => {
  await using fake = await startFake('aws-secrets-manager')
  const c = smClient(fake.endpoint)
  const r = await c.send(new CreateSecretCommand({ Name: 'a', SecretString: 'x' }))
  console.log(r)
  const g = await c.send(new GetSecretValueCommand({ SecretId: 'a' }))
  console.log(g)
  const e = await rejection(c.send(new GetSecretValueCommand({ SecretId: 'b' })))
  expect(e).toBeInstanceOf(ResourceNotFoundException)
})
