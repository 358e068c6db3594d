import { type AccessEvent, ConfigManager, memory, NotFoundError, Secret } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

// Values decide on reads too: a credential read through the parameters chain is served as a secret.
const DB_URL = 'postgres://app:pw-canary-123@db/app'
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
const GH = `ghp_${'a1B2'.repeat(9)}`

function manager(
  values: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof ConfigManager>[0]> = {},
) {
  const events: AccessEvent[] = []
  const m = new ConfigManager({
    secrets: [memory({}, { name: 'secret-store' })],
    parameters: [memory(values, { name: 'param-store' })],
    onAccess: (e) => events.push(e),
    ...extra,
  })
  return { m, events }
}

describe('reads: a credential read as a parameter is served as a secret', () => {
  it.each([
    ['DATABASE_URL', DB_URL, 'value:url-with-password'],
    ['REDIS_URL', 'redis://:pw-canary-123@cache:6379', 'value:url-with-password'],
    ['SIGNING', PEM, 'value:pem-private-key'],
    ['SESSION', JWT, 'value:jwt'],
    ['GH', GH, 'value:github-token'],
    ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE', 'value:aws-access-key-id'],
    ['AWS_BLOB', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'value:aws-secret-access-key'],
    ['DATABASE_DSN', DB_URL, 'value:url-with-password'],
  ])('%s', async (key, value, reason) => {
    const { m, events } = manager({ [key]: value })
    const got = await m.get(key)
    expect(got).toBeInstanceOf(Secret)
    expect((got as Secret).reveal()).toBe(value)
    const meta = await m.getWithMetadata(key, { fresh: true })
    expect(meta).toMatchObject({ kind: 'secret', reason, provider: 'param-store' })
    expect(meta.value).toBeInstanceOf(Secret)
    // The read that asked the store tells the user to classify the key, without the value.
    const miss = events.find((e) => e.operation === 'get' && e.outcome === 'miss')!
    expect(miss).toMatchObject({ key, kind: 'secret', provider: 'param-store' })
    expect(miss.warning).toContain(`classify.overrides { "${key}": "secret" }`)
    expect(miss.warning).toContain(reason.slice('value:'.length))
    for (const e of events) expect(JSON.stringify(e)).not.toContain(value)
    // A cached hit stays a secret and says so.
    expect(await m.get(key)).toBeInstanceOf(Secret)
    expect(events.filter((e) => e.outcome === 'hit').every((e) => e.kind === 'secret')).toBe(true)
  })

  it('ordinary values stay plain parameters, with no warning', async () => {
    const { m, events } = manager({
      DATABASE_URL: 'postgres://app@db/app',
      PAYLOAD: Buffer.from('The quick brown fox jumps over').toString('base64'),
      COMMIT: '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12',
    })
    for (const key of ['DATABASE_URL', 'PAYLOAD', 'COMMIT']) {
      expect(typeof (await m.get(key)), key).toBe('string')
      expect((await m.getWithMetadata(key)).kind).toBe('parameter')
    }
    expect(events.some((e) => e.warning !== undefined)).toBe(false)
  })

  it('getParameter keeps returning a string (the caller said so); getSecret wraps', async () => {
    const { m, events } = manager({ DATABASE_URL: DB_URL })
    expect(await m.getParameter('DATABASE_URL')).toBe(DB_URL)
    expect((await m.getWithMetadata('DATABASE_URL', { kind: 'parameter' })).reason).toBe('hint')
    expect(events.some((e) => e.warning !== undefined)).toBe(false)
    expect(await m.get('DATABASE_URL')).toBeInstanceOf(Secret)
  })

  it('an override to parameter stands; valueHeuristics: false turns the check off', async () => {
    const over = manager({ DATABASE_URL: DB_URL }, { classify: { overrides: { DATABASE_URL: 'parameter' } } })
    expect(await over.m.get('DATABASE_URL')).toBe(DB_URL)
    const off = manager({ DATABASE_URL: DB_URL }, { classify: { valueHeuristics: false } })
    expect(await off.m.get('DATABASE_URL')).toBe(DB_URL)
  })

  it('getMany and load see the promoted kind', async () => {
    const { m } = manager({ DATABASE_URL: DB_URL, LOG_LEVEL: 'info' })
    const many = await m.getMany(['DATABASE_URL', 'LOG_LEVEL'])
    expect(many.values.DATABASE_URL).toBeInstanceOf(Secret)
    expect(many.values.LOG_LEVEL).toBe('info')
    const fresh = manager({ DATABASE_URL: DB_URL, LOG_LEVEL: 'info' }).m
    const config = await fresh.load(z.object({ DATABASE_URL: z.instanceof(Secret), LOG_LEVEL: z.string() }))
    expect(config.DATABASE_URL.reveal()).toBe(DB_URL)
  })

  it('getByPrefix checks the values of parameters too', async () => {
    const { m } = manager({ APP_DATABASE_URL: DB_URL, APP_LOG_LEVEL: 'info' })
    const { values } = await m.getByPrefix('APP_')
    expect(values.APP_DATABASE_URL).toBeInstanceOf(Secret)
    expect(values.APP_LOG_LEVEL).toBe('info')
  })

  it('a parameter-named key only the secrets chain has is served from there, as a secret', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({
      secrets: [memory({ FOO: 'from-secrets' }, { name: 'secret-store' })],
      parameters: [memory({}, { name: 'param-store' })],
      onAccess: (e) => events.push(e),
    })
    const meta = await m.getWithMetadata('FOO')
    expect(meta).toMatchObject({ kind: 'secret', reason: 'found-in:secrets', provider: 'secret-store' })
    expect((meta.value as Secret).reveal()).toBe('from-secrets')
    expect(meta.tried.map((t) => t.provider)).toEqual(['param-store'])
    expect(events.at(-1)?.warning).toContain('only the secrets chain has it')
  })

  it('a key in neither chain is one NotFoundError naming the providers of both', async () => {
    const { m } = manager({})
    const error = await m.get('FEATURE_FLAG').catch((e) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect(error.tried.map((t: { provider: string }) => t.provider)).toEqual(['param-store', 'secret-store'])
    // A secret-named key is never looked for among parameters.
    const secretNamed = await manager({ DB_PASSWORD: 'plain' })
      .m.get('DB_PASSWORD')
      .catch((e) => e)
    expect(secretNamed).toBeInstanceOf(NotFoundError)
    expect(secretNamed.tried.map((t: { provider: string }) => t.provider)).toEqual(['secret-store'])
  })

  it('a store in both chains is asked once', async () => {
    let reads = 0
    const shared = memory({}, { name: 'shared' })
    const counting = {
      ...shared,
      get: (k: string) => {
        reads++
        return shared.get(k)
      },
    }
    const m = new ConfigManager({ secrets: [counting], parameters: [counting] })
    await expect(m.get('FEATURE_FLAG')).rejects.toBeInstanceOf(NotFoundError)
    expect(reads).toBe(1)
  })
})
