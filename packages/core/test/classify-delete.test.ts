import {
  type AccessEvent,
  ConfigManager,
  env,
  memory,
  NotFoundError,
  type Provider,
  ReadOnlyError,
  Secret,
  UnavailableError,
  UnsupportedError,
  WriteError,
} from '@polysecret/core'
import { describe, expect, it } from 'vitest'

// delete() never reports success while get() still serves the value: it deletes where the key is,
// and reports a copy it cannot delete.

describe('delete where the value lives', () => {
  it('deletes in a later provider of the chain, the one get() serves from', async () => {
    const first = memory({}, { name: 'first' })
    const second = memory({ DB_PASSWORD: 'in-second' }, { name: 'second' })
    const m = new ConfigManager({ secrets: [first, second], allowWrites: true })
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('in-second')
    const results = await m.delete('DB_PASSWORD')
    expect(results).toEqual([{ provider: 'second', ok: true, version: undefined }])
    await expect(m.get('DB_PASSWORD')).rejects.toBeInstanceOf(NotFoundError)
    expect(await second.get('DB_PASSWORD')).toBeUndefined()
  })

  it('deletes every copy in the chain, so no older one surfaces', async () => {
    const first = memory({ DB_PASSWORD: 'a' }, { name: 'first' })
    const second = memory({ DB_PASSWORD: 'b' }, { name: 'second' })
    const m = new ConfigManager({ secrets: [first, second], allowWrites: true })
    const results = await m.delete('DB_PASSWORD')
    expect(results.map((r) => [r.provider, r.ok])).toEqual([
      ['first', true],
      ['second', true],
    ])
    await expect(m.get('DB_PASSWORD')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a parameter-named key stored as a secret is deleted in the secrets chain', async () => {
    const secrets = memory({}, { name: 'secret-store' })
    const params = memory({}, { name: 'param-store' })
    const writer = new ConfigManager({ secrets: [secrets], parameters: [params], allowWrites: true })
    await writer.set('FOO', new Secret('x'))
    const other = new ConfigManager({ secrets: [secrets], parameters: [params], allowWrites: true })
    expect(await other.delete('FOO')).toEqual([{ provider: 'secret-store', ok: true, version: undefined }])
    await expect(writer.get('FOO')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a copy in a store that cannot delete is reported: WriteError, and get() tells the truth', async () => {
    const events: AccessEvent[] = []
    const source = { DB_PASSWORD: 'from-env' }
    const store = memory({ DB_PASSWORD: 'stored' }, { name: 'store' })
    const m = new ConfigManager({
      secrets: [store, env({ env: source })],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    const error = await m.delete('DB_PASSWORD').catch((e) => e)
    expect(error).toBeInstanceOf(WriteError)
    expect(error.results.map((r: { provider: string; ok: boolean }) => [r.provider, r.ok])).toEqual([
      ['store', true],
      ['env', false],
    ])
    const remaining = error.results[1].error
    expect(remaining).toBeInstanceOf(UnsupportedError)
    expect(remaining.message).toContain('get() would still serve')
    expect(remaining.message).toContain('unset the environment variable')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('from-env')
    expect(events.filter((e) => e.operation === 'delete').map((e) => [e.provider, e.outcome])).toEqual([
      ['store', 'ok'],
      ['env', 'error'],
    ])
  })

  it('the only copy in a store that cannot delete: that error, not a silent success', async () => {
    const m = new ConfigManager({
      secrets: [memory({}, { name: 'store' }), env({ env: { DB_PASSWORD: 'from-env' } })],
      allowWrites: true,
    })
    await expect(m.delete('DB_PASSWORD')).rejects.toBeInstanceOf(UnsupportedError)
  })

  it('with writes off, a holder is refused with ReadOnlyError and keeps its value', async () => {
    const store = memory({ DB_PASSWORD: 'kept' }, { name: 'store' })
    const m = new ConfigManager({ secrets: [store] })
    await expect(m.delete('DB_PASSWORD')).rejects.toBeInstanceOf(ReadOnlyError)
    expect((await store.get('DB_PASSWORD'))?.value).toBe('kept')
  })

  it('a key held nowhere is deleted at the first deletable provider, as before (idempotent)', async () => {
    const m = new ConfigManager({
      secrets: [env({ env: {} }), memory({}, { name: 'store' })],
      allowWrites: true,
    })
    expect(await m.delete('DB_PASSWORD')).toEqual([{ provider: 'store', ok: true, version: undefined }])
  })

  it('a store that cannot say whether it holds the key is reported, not passed over', async () => {
    const down: Provider = {
      name: 'down',
      type: 'read-only-store',
      capabilities: { list: false, write: false, delete: false, versions: false, batch: false, watch: false },
      get: async (key) => {
        throw new UnavailableError({ key, provider: 'down' })
      },
      health: async () => ({ ok: false }),
    }
    const store = memory({ DB_PASSWORD: 'x' }, { name: 'store' })
    const m = new ConfigManager({ secrets: [store, down], allowWrites: true })
    const error = await m.delete('DB_PASSWORD').catch((e) => e)
    expect(error).toBeInstanceOf(WriteError)
    expect(error.results[1]).toMatchObject({ provider: 'down', ok: false })
    expect(error.results[1].error).toBeInstanceOf(UnavailableError)
    expect(await store.get('DB_PASSWORD')).toBeUndefined()
  })

  it('to: deletes exactly there', async () => {
    const first = memory({ DB_PASSWORD: 'a' }, { name: 'first' })
    const second = memory({ DB_PASSWORD: 'b' }, { name: 'second' })
    const m = new ConfigManager({ secrets: [first, second], allowWrites: true })
    expect((await m.delete('DB_PASSWORD', { to: 'first' })).map((r) => r.provider)).toEqual(['first'])
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('b')
  })
})
