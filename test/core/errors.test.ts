import { inspect } from 'node:util'
import {
  AccessDeniedError,
  ConfigManager,
  memory,
  PolysecretError,
  scrubText,
  UnavailableError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'

describe('errors', () => {
  it('carry key, provider, code, a what-to-do hint, and a scrubbed cause', () => {
    const original = Object.assign(new Error('denied for password=hunter2 at postgres://u:pw@h/db'), {
      $response: { body: 'SecretString: "hunter2"' },
      $metadata: { httpStatusCode: 403 },
      code: 'AccessDenied',
    })
    const error = new AccessDeniedError({ key: 'DB_PASSWORD', provider: 'aws', cause: original })
    expect(error).toBeInstanceOf(PolysecretError)
    expect(error).toMatchObject({
      key: 'DB_PASSWORD',
      provider: 'aws',
      code: 'ACCESS_DENIED',
      retryable: false,
    })
    expect(error.message).toMatch(/Grant the service's identity/)
    const cause = error.cause as Error & Record<string, unknown>
    expect(cause).toBeInstanceOf(Error)
    expect(cause.message).not.toContain('hunter2')
    expect(cause.message).not.toContain(':pw@')
    expect(cause.message).toContain('password=[REDACTED]')
    expect(cause.$response).toBeUndefined()
    expect(cause.$metadata).toEqual({ httpStatusCode: 403 })
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('hunter2')
  })

  it('scrubText removes known values and secret-looking content', () => {
    expect(scrubText('token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked')).not.toContain('ghp_')
    expect(scrubText('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----')).toBe('[REDACTED PEM]')
    expect(scrubText('the value is s3cr3t-v', ['s3cr3t-v'])).toBe('the value is [REDACTED]')
    expect(scrubText('Authorization: Bearer abc.def')).not.toContain('abc.def')
    expect(scrubText('key "DB_HOST" not found')).toBe('key "DB_HOST" not found')
  })

  it('a provider that throws a raw error is reported as unavailable with its name, not its message', async () => {
    const store = instrument(memory({}, { name: 'raw' }), {
      fault: () => new Error('connect failed with password=topsecret'),
    })
    const manager = new ConfigManager({ secrets: [store.provider], retry: 0 })
    const error = await manager.get('API_KEY').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.tried[0]).toMatchObject({ provider: 'raw', code: 'UNAVAILABLE' })
    expect(JSON.stringify(error.tried) + error.message + inspect(error, { depth: 10 })).not.toContain(
      'topsecret',
    )
  })
})
