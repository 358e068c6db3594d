/**
 * Provider responses under generated answers: a loopback server answers every request of the official
 * SDK (AWS Secrets Manager and Parameter Store over JSON 1.1, Vault over HTTP) with a generated status,
 * content type and body — valid shapes with odd values, wrong types, truncated and random bytes. The
 * provider returns an entry whose value is the body's value, not-found, or a typed PolysecretError; never
 * a TypeError, never a hang, and no error carries the secret that was in the body.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parameterStore, secretsManager } from '@polysecret/aws'
import { isPolysecretError, type Provider } from '@polysecret/core'
import { vaultKv } from '@polysecret/vault'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_AWS } from '../support/aws.js'
import { anyText, canary, runs } from './runs.js'

interface Answer {
  status: number
  contentType: string
  body: string
}

let answer: Answer = { status: 200, contentType: 'application/json', body: '{}' }
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'x-amzn-requestid': 'req-1' })
    response.end(answer.body)
  })
})
let endpoint: string
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** JSON values where a field may be the right type, the wrong type, or missing. */
const odd = (secret: fc.Arbitrary<unknown>) =>
  fc.oneof(
    secret,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  )

const status = fc.constantFrom(200, 200, 200, 400, 403, 404, 429, 500, 502, 503)
const contentType = fc.constantFrom('application/x-amz-json-1.1', 'application/json', 'text/html', '')

function bodies(shape: (secret: fc.Arbitrary<string>) => fc.Arbitrary<unknown>) {
  return canary.chain((secret) =>
    fc.record({
      secret: fc.constant(secret),
      body: fc.oneof(
        shape(fc.constant(secret)).map((v) => JSON.stringify(v)),
        shape(fc.constant(secret)).map((v) => JSON.stringify(v).slice(0, -2)), // truncated
        fc
          .record({
            __type: fc.constantFrom('ResourceNotFoundException', 'ThrottlingException', 'Weird#Thing'),
            message: fc.constant(secret),
          })
          .map((v) => JSON.stringify(v)),
        anyText(80).map((t) => `${t}${secret}`),
      ),
    }),
  )
}

async function checkProvider(provider: Provider, key: string, secret: string): Promise<void> {
  try {
    const entry = await provider.get(key)
    if (entry !== undefined) expect(['string', 'object']).toContain(typeof entry.value)
  } catch (error) {
    expect(isPolysecretError(error), `not a typed error: ${String(error)}`).toBe(true)
    expect((error as Error).message).not.toContain(secret)
    expect(String((error as { hint?: string }).hint ?? '')).not.toContain(secret)
  }
}

describe('providers given generated responses', () => {
  const settings = { numRuns: runs(300) }

  it('AWS Secrets Manager GetSecretValue', async () => {
    const provider = secretsManager({ ...FAKE_AWS, endpoint, maxAttempts: 1 })
    const shape = (s: fc.Arbitrary<string>) =>
      fc.record(
        {
          Name: odd(fc.constant('DB_PASSWORD')),
          SecretString: odd(s),
          VersionId: odd(fc.uuid()),
          VersionStages: odd(fc.constant('x')),
        },
        { requiredKeys: [] },
      )
    await fc.assert(
      fc.asyncProperty(status, contentType, bodies(shape), async (code, type, { secret, body }) => {
        answer = { status: code, contentType: type, body }
        await checkProvider(provider, 'DB_PASSWORD', secret)
      }),
      settings,
    )
  }, 60_000)

  it('AWS Parameter Store GetParameter', async () => {
    const provider = parameterStore({ ...FAKE_AWS, endpoint, maxAttempts: 1, prefix: '/app/' })
    const shape = (s: fc.Arbitrary<string>) =>
      fc.record(
        {
          Parameter: fc.oneof(
            odd(s),
            fc.record(
              {
                Name: odd(fc.constant('/app/DB_URL')),
                Value: odd(s),
                Version: odd(fc.nat()),
                Type: odd(fc.constant('String')),
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      )
    await fc.assert(
      fc.asyncProperty(status, contentType, bodies(shape), async (code, type, { secret, body }) => {
        answer = { status: code, contentType: type, body }
        await checkProvider(provider, 'DB_URL', secret)
      }),
      settings,
    )
  }, 60_000)

  it('Vault KV v2 read', async () => {
    const provider = vaultKv({ endpoint, mount: 'secret', auth: 'fake-token' })
    const shape = (s: fc.Arbitrary<string>) =>
      fc.record(
        {
          data: fc.oneof(
            odd(s),
            fc.record(
              { data: fc.oneof(odd(s), fc.record({ value: odd(s) })), metadata: odd(fc.constant('m')) },
              { requiredKeys: [] },
            ),
          ),
          errors: odd(s),
        },
        { requiredKeys: [] },
      )
    await fc.assert(
      fc.asyncProperty(
        status,
        fc.constantFrom('application/json', 'text/plain'),
        bodies(shape),
        async (code, type, { secret, body }) => {
          answer = { status: code, contentType: type, body }
          await checkProvider(provider, 'app/db', secret)
        },
      ),
      settings,
    )
  }, 60_000)
})
