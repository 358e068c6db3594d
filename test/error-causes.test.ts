/**
 * Store errors that quote a secret, in every form a store might quote it, must not reach anything a
 * caller can see: message, stack, cause chain, util.inspect. The scheme: for secret keys no text the
 * store wrote is kept (only its class, code and status); for parameters it is scrubbed and bounded.
 */
import { inspect } from 'node:util'
import {
  ConfigManager,
  memory,
  PolysecretError,
  Secret,
  ThrottledError,
  UnavailableError,
  WriteError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'

const VALUE = 'Pa55"w\\ord-7f3a/9c1e+LEAK'

/** Every way a store's message might carry the value. */
const FORMS: Record<string, string> = {
  exact: VALUE,
  'JSON-escaped': JSON.stringify(VALUE).slice(1, -1),
  base64: Buffer.from(VALUE).toString('base64'),
  'URL-encoded': encodeURIComponent(VALUE),
  'upper-cased': VALUE.toUpperCase(),
  prefix: VALUE.slice(0, 9),
}

/** Everything a person or a log pipeline could see of an error. */
function visible(error: unknown): string {
  const parts = [inspect(error, { showHidden: true, depth: 20 }), JSON.stringify(error) ?? '']
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth++, e = e.cause) {
    parts.push(e.name, e.message, e.stack ?? '', String(e))
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) parts.push(visible(inner))
  }
  return parts.join('\n')
}

/** The store's own error: the last link of the cause chain (manager error → provider error → store error). */
function storeError(error: unknown): Error & Record<string, unknown> {
  let e = error as Error
  while (e.cause instanceof Error) e = e.cause
  return e as Error & Record<string, unknown>
}

function failingStore(initial: Record<string, string>, fault: () => Error) {
  return instrument(memory(initial, { name: 'vault-a' }), { fault })
}

describe('error causes never carry a secret value', () => {
  for (const [form, quoted] of Object.entries(FORMS)) {
    it(`a store error quoting the value ${form}, on a read of a secret never read before`, async () => {
      const store = failingStore({ DB_PASSWORD: VALUE }, () => new Error(`backend rejected: ${quoted}`))
      const manager = new ConfigManager({ secrets: [store.provider], retry: false })
      const error = await manager.get('DB_PASSWORD').catch((e) => e)
      expect(error).toBeInstanceOf(UnavailableError)
      expect(error.key).toBe('DB_PASSWORD')
      expect(error.cause).toBeInstanceOf(Error)
      const seen = visible(error)
      expect(seen).not.toContain(quoted)
      expect(seen.toLowerCase()).not.toContain(quoted.toLowerCase())
    })
  }

  it('a short secret (a 3-digit PIN) quoted by the store', async () => {
    const store = failingStore({ APP_PIN: '481' }, () => new Error('pin 481 rejected'))
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const error = await manager.get('APP_PIN').catch((e) => e)
    expect(error).toBeInstanceOf(PolysecretError)
    expect(visible(error)).not.toMatch(/\b481\b/)
  })

  it('keeps what a reader needs: the class name, code and HTTP status of the store error', async () => {
    const sdkLike = () =>
      Object.assign(new Error(`Throttled while returning ${VALUE}`), {
        name: 'ThrottlingException',
        code: 'ThrottlingException',
        $metadata: { httpStatusCode: 400, requestId: 'r-1' },
        $response: { body: VALUE },
      })
    const store = failingStore({ DB_PASSWORD: VALUE }, sdkLike)
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const error = await manager.get('DB_PASSWORD').catch((e) => e)
    const cause = storeError(error)
    expect(cause.name).toBe('ThrottlingException')
    expect(cause.code).toBe('ThrottlingException')
    expect(cause.$metadata).toEqual({ httpStatusCode: 400 })
    expect(cause.message).toContain('HTTP 400')
    expect(cause.$response).toBeUndefined()
    expect(visible(error)).not.toContain(VALUE.slice(0, 9))
  })

  it('a custom error name carrying the value is not kept', async () => {
    const store = failingStore({ API_TOKEN: VALUE }, () =>
      Object.assign(new Error('boom'), { name: `Leak ${VALUE}` }),
    )
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const error = await manager.get('API_TOKEN').catch((e) => e)
    expect(storeError(error).name).toBe('Error')
    expect(error.message).not.toContain('Leak')
    expect(visible(error)).not.toContain(VALUE.slice(0, 9))
  })

  it('a PolysecretError thrown by a provider has its cause sealed and its message scrubbed', async () => {
    const known = new Secret(VALUE) // a value this process has seen: scrubbed from the message too
    const store = failingStore({ DB_PASSWORD: VALUE }, () =>
      Object.assign(
        new UnavailableError({
          provider: 'vault-a',
          message: `upstream said ${known.reveal()}`,
          cause: new Error(`payload was ${FORMS.base64}`),
        }),
        { name: `UnavailableError ${VALUE}` },
      ),
    )
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const error = await manager.get('DB_PASSWORD').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    for (const quoted of Object.values(FORMS)) expect(visible(error)).not.toContain(quoted)
  })

  it('a write whose store error quotes the value being written', async () => {
    const fresh = 'N3w v4lue/never+read=before'
    const store = instrument(memory({}, { name: 'vault-a' }), {
      fault: ({ operation }) =>
        operation === 'set' ? new Error(`cannot store ${encodeURIComponent(fresh)}`) : undefined,
    })
    const second = memory({}, { name: 'vault-b' })
    const manager = new ConfigManager({ secrets: [store.provider, second], allowWrites: true, retry: false })
    const single = await manager.set('NEW_SECRET', new Secret(fresh)).catch((e) => e)
    expect(single).toBeInstanceOf(UnavailableError)
    expect(visible(single)).not.toContain(encodeURIComponent(fresh).slice(0, 8))
    const multi = await manager.set('NEW_SECRET', new Secret(fresh), { to: 'all' }).catch((e) => e)
    expect(multi).toBeInstanceOf(WriteError)
    expect(multi.results.map((r: { ok: boolean }) => r.ok)).toEqual([false, true])
    expect(visible(multi) + visible(multi.results[0].error)).not.toContain(
      encodeURIComponent(fresh).slice(0, 8),
    )
  })

  it('when every provider fails, the error names each provider and keeps their errors as cause', async () => {
    const a = failingStore({}, () => new Error(`a: ${VALUE}`))
    const b = instrument(memory({}, { name: 'vault-b' }), {
      fault: () => new ThrottledError({ provider: 'vault-b', cause: new Error(`b: ${VALUE}`) }),
    })
    const manager = new ConfigManager({ secrets: [a.provider, b.provider], retry: false })
    const error = await manager.get('DB_PASSWORD').catch((e) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error.message).toContain('vault-a: UNAVAILABLE')
    expect(error.message).toContain('vault-b: THROTTLED')
    expect(error.tried.map((t: { provider: string }) => t.provider)).toEqual(['vault-a', 'vault-b'])
    expect(error.cause).toBeInstanceOf(AggregateError)
    const inner = (error.cause as AggregateError).errors
    expect(inner.map((e: PolysecretError) => e.provider)).toEqual(['vault-a', 'vault-b'])
    expect(inner[1]).toBeInstanceOf(ThrottledError)
    expect(visible(error)).not.toContain(VALUE.slice(0, 9))
  })

  it('one failing provider among not-found ones is the cause itself', async () => {
    const empty = memory({}, { name: 'empty' })
    const down = failingStore({}, () => new Error('connection reset'))
    const manager = new ConfigManager({ secrets: [empty, down.provider], retry: false })
    const error = await manager.get('DB_PASSWORD').catch((e) => e)
    expect(error.message).toContain('empty: not found')
    expect(error.cause).toBeInstanceOf(UnavailableError)
    expect(error.cause.provider).toBe('vault-a')
  })

  it('parameters keep the store message, scrubbed and bounded, for diagnosis', async () => {
    const long = `region eu-west-1 is not enabled; ${'x'.repeat(2000)}`
    const store = instrument(memory({ LOG_LEVEL: 'info' }, { name: 'params' }), {
      fault: () => new Error(`password=hunter22 ${long}`),
    })
    const manager = new ConfigManager({ parameters: [store.provider], retry: false })
    const error = await manager.get('LOG_LEVEL').catch((e) => e)
    const cause = storeError(error)
    expect(cause.message).toContain('region eu-west-1 is not enabled')
    expect(cause.message).not.toContain('hunter22')
    expect(cause.message.length).toBeLessThan(400)
  })

  it('a parameter error quoting a secret read earlier — in any case or encoding, or a prefix — is scrubbed', async () => {
    const store = instrument(memory({ DB_PASSWORD: VALUE, LOG_LEVEL: 'info' }, { name: 'vault-a' }))
    const manager = new ConfigManager({
      secrets: [store.provider],
      parameters: [store.provider],
      retry: false,
    })
    await manager.get('DB_PASSWORD') // now a known secret value
    for (const [form, quoted] of Object.entries(FORMS)) {
      store.setFault(({ key }) =>
        key === 'LOG_LEVEL' ? new Error(`log level store echoed <${quoted}>`) : undefined,
      )
      const error = await manager.get('LOG_LEVEL', { fresh: true }).catch((e) => e)
      const cause = storeError(error)
      expect(cause.message, form).toContain('log level store echoed <[REDACTED]')
      expect(visible(error).toLowerCase(), form).not.toContain(quoted.toLowerCase())
    }
  })

  it('errors of list and getByPrefix are sealed too', async () => {
    const store = instrument(memory({ APP_TOKEN: VALUE }, { name: 'vault-a' }), {
      fault: ({ operation }) => (operation === 'list' ? new Error(`listing choked on ${VALUE}`) : undefined),
    })
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const listed = await manager.list('APP_').catch((e) => e)
    expect(listed).toBeInstanceOf(UnavailableError)
    expect(listed.provider).toBe('vault-a')
    const prefixed = await manager.getByPrefix('APP_').catch((e) => e)
    expect(prefixed).toBeInstanceOf(UnavailableError)
    expect(visible(listed) + visible(prefixed)).not.toContain(VALUE.slice(0, 9))
  })

  it('health() of a failing provider says what failed, not what the store wrote', async () => {
    const store = instrument(memory({}, { name: 'vault-a' }), {
      fault: () => Object.assign(new Error(`health probe saw ${VALUE}`), { name: `Odd ${VALUE}` }),
    })
    const manager = new ConfigManager({ secrets: [store.provider], retry: false })
    const [health] = await manager.health()
    expect(health).toMatchObject({ provider: 'vault-a', ok: false })
    expect(health!.message).toContain('vault-a')
    expect(inspect(health, { depth: 10 })).not.toContain(VALUE.slice(0, 9))
  })
})
