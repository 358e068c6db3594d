import { describe, expect, it } from 'vitest'
import {
  IDENTITY_KEY_MAPPING,
  lazyClient,
  resolveKeyMapping,
  selectJsonField,
  splitFieldKey,
  ValidationError,
} from '../src/index.js'

describe('lazyClient', () => {
  const setup = (over: Record<string, unknown> = {}) => {
    const log: string[] = []
    let loads = 0
    const client = lazyClient<{ make(): { id: number } }, { id: number }>({
      provider: 'p',
      pkg: 'the-sdk',
      requiredBy: '@polysecret/x',
      load: async () => {
        loads++
        return { make: () => ({ id: loads }) }
      },
      create: (sdk) => sdk.make(),
      dispose: (c) => {
        log.push(`dispose ${c.id}`)
      },
      ...over,
    })
    return { client, log, loads: () => loads }
  }

  it('loads the SDK once, on the first connect, and shares the client', async () => {
    const { client, loads } = setup()
    expect(loads()).toBe(0)
    const [a, b] = await Promise.all([client.connect(), client.connect()])
    expect(a.client).toBe(b.client)
    expect(loads()).toBe(1)
  })

  it('disposes only a client it created; close() makes the next connect start afresh', async () => {
    const own = setup()
    const first = (await own.client.connect()).client
    await own.client.close()
    expect(own.log).toEqual([`dispose ${first.id}`])
    expect((await own.client.connect()).client).not.toBe(first)

    const passed = { id: 99 }
    const theirs = setup({ client: passed })
    expect((await theirs.client.connect()).client).toBe(passed)
    await theirs.client.close()
    expect(theirs.log).toEqual([])
  })

  it('turns a missing SDK into a ValidationError saying what to install, and retries later', async () => {
    let fail = true
    const client = lazyClient({
      provider: 'p',
      pkg: 'the-sdk',
      requiredBy: '@polysecret/x',
      load: async () => {
        if (fail) throw new Error("Cannot find package 'the-sdk'")
        return {}
      },
      create: () => ({}),
      dispose: () => undefined,
    })
    const error = await client.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).hint).toContain('npm i the-sdk')
    fail = false
    await expect(client.connect()).resolves.toBeDefined()
  })

  it('disposes a client whose ready() fails and tries again on the next call', async () => {
    let readyFails = 1
    const { client, log } = setup({
      ready: async () => {
        if (readyFails-- > 0) throw new Error('no credentials')
      },
    })
    await expect(client.connect()).rejects.toThrow('no credentials')
    expect(log).toEqual(['dispose 1'])
    expect((await client.connect()).client.id).toBe(2)
  })
})

describe('key mapping helpers', () => {
  const upper = { toName: (k: string) => k.toUpperCase(), toKey: (n: string) => n.toLowerCase() }
  it('resolves built-in names, custom mappings and the default; refuses anything else', () => {
    expect(resolveKeyMapping(undefined, { identity: IDENTITY_KEY_MAPPING }, 'identity')).toBe(
      IDENTITY_KEY_MAPPING,
    )
    expect(resolveKeyMapping('upper', { upper }, 'identity')).toBe(upper)
    expect(resolveKeyMapping(upper, {}, 'identity')).toBe(upper)
    expect(resolveKeyMapping('nope', { identity: IDENTITY_KEY_MAPPING }, 'identity')).toBeUndefined()
    expect(resolveKeyMapping('toString', {}, 'identity')).toBeUndefined()
    expect(resolveKeyMapping({ toName: 1 }, {}, 'identity')).toBeUndefined()
  })

  it('splits name#field at the first #', () => {
    expect(splitFieldKey('db#a#b', 'p')).toEqual({ key: 'db#a#b', name: 'db', field: 'a#b' })
    expect(splitFieldKey('db', 'p')).toEqual({ key: 'db', name: 'db', field: undefined })
    expect(() => splitFieldKey('#x', 'p')).toThrow(ValidationError)
    expect(() => splitFieldKey('x#', 'p')).toThrow(ValidationError)
    expect(() => splitFieldKey('', 'p')).toThrow(ValidationError)
  })

  it('selects a JSON field; text that is not a JSON object is a ValidationError without the text', () => {
    expect(selectJsonField('{"a":"x","n":{"b":1}}', 'a', 'K', 'p')).toBe('x')
    expect(selectJsonField('{"a":"x","n":{"b":1}}', 'n', 'K', 'p')).toBe('{"b":1}')
    expect(selectJsonField('{"a":"x"}', 'missing', 'K', 'p')).toBeUndefined()
    const error = (() => {
      try {
        selectJsonField('hunter2-not-json', 'a', 'K', 'p')
      } catch (e) {
        return e as ValidationError
      }
    })()
    expect(error).toBeInstanceOf(ValidationError)
    expect(error?.key).toBe('K')
    expect(error?.message).not.toContain('hunter2')
  })
})
