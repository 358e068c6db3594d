import {
  ConfigManager,
  ConflictError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { providerFor, startVault } from './support.js'

let stop: (() => Promise<void>) | undefined
afterEach(async () => {
  await stop?.()
  stop = undefined
})

async function vault(secrets: Record<string, Record<string, unknown>>) {
  const started = await startVault(secrets)
  stop = () => started.fake.stop()
  return started
}

describe('keys: path#field', () => {
  it('reads fields, the value field by default, non-strings as JSON, and marks values sensitive', async () => {
    const { fake } = await vault({
      'secret/app/db': { password: 'pw', port: 5432 },
      'secret/API_TOKEN': { value: 't' },
    })
    const p = providerFor(fake)
    expect(await p.get('app/db#password')).toMatchObject({ value: 'pw', version: '1', sensitive: true })
    expect((await p.get('app/db#port'))?.value).toBe('5432')
    expect((await p.get('API_TOKEN'))?.value).toBe('t')
    expect(await p.get('app/db#missing')).toBeUndefined()
    expect(await p.get('app/db')).toBeUndefined() // no "value" field there
  })

  it('getMany reads each path once, however many of its fields are asked for', async () => {
    const { fake } = await vault({
      'secret/app/db': { user: 'u', password: 'pw' },
      'secret/app/cache': { url: 'redis://' },
    })
    const p = providerFor(fake, { defaultField: 'url' })
    const { entries, errors } = await p.getMany(['app/db#user', 'app/db#password', 'app/cache', 'app/none'])
    expect(Object.fromEntries([...entries].map(([k, e]) => [k, e.value]))).toEqual({
      'app/db#user': 'u',
      'app/db#password': 'pw',
      'app/cache': 'redis://',
    })
    expect(errors.size).toBe(0)
    expect(fake.requests.count('kv2.read')).toBe(3)
  })

  it('list walks folders recursively and names default-field secrets by their path', async () => {
    const { fake } = await vault({
      'secret/app/db': { value: 'a' },
      'secret/app/deep/er/key': { value: 'b' },
      'secret/other/x': { value: 'c' },
    })
    const keys: string[] = []
    for await (const k of providerFor(fake).list('app/')) keys.push(k.key)
    expect(keys.sort()).toEqual(['app/db', 'app/deep/er/key'])
  })
})

describe('writes (KV v2)', () => {
  it('writing one field keeps the others, with check-and-set', async () => {
    const { fake } = await vault({ 'secret/app/db': { user: 'u', password: 'old' } })
    const p = providerFor(fake)
    const written = await p.set('app/db#password', 'new')
    expect(written.version).toBe('2')
    expect(fake.requests.last('kv2.write')?.input).toMatchObject({ body: { options: { cas: 1 } } })
    expect((await p.get('app/db#user'))?.value).toBe('u')
    expect((await p.get('app/db#password'))?.value).toBe('new')
  })

  it('ifVersion → cas; createOnly → cas 0 on a new path', async () => {
    const { fake } = await vault({ 'secret/app/db': { value: 'v1' } })
    const p = providerFor(fake)
    await expect(p.set('app/db', 'x', { ifVersion: '7' })).rejects.toBeInstanceOf(ConflictError)
    await p.set('app/new', 'n', { createOnly: true })
    expect(fake.requests.last('kv2.write')?.input).toMatchObject({ body: { options: { cas: 0 } } })
    await expect(p.set('app/new', 'again', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
  })

  it('delete: soft-deletes the latest version, which then reads as missing but keeps its history', async () => {
    const { fake } = await vault({ 'secret/app/db': { value: 'a' } })
    const p = providerFor(fake)
    await p.set('app/db', 'b')
    await p.delete('app/db')
    expect(fake.requests.count('kv2.delete')).toBe(1)
    expect(await p.get('app/db')).toBeUndefined()
    expect((await p.get('app/db', { version: '1' }))?.value).toBe('a')
  })

  it('delete of path#field removes the field only; force destroys every version', async () => {
    const { fake } = await vault({
      'secret/app/db': { user: 'u', password: 'pw' },
      'secret/app/gone': { value: 'x' },
    })
    const p = providerFor(fake)
    await p.delete('app/db#password')
    expect(await p.get('app/db#password')).toBeUndefined()
    expect((await p.get('app/db#user'))?.value).toBe('u')
    await p.delete('app/gone', { force: true })
    expect(fake.requests.count('kv2.delete-metadata')).toBe(1)
    expect(await p.versions!('app/gone')).toEqual([])
  })

  it('rollback writes that version’s data (every field) as the new current version', async () => {
    const { fake } = await vault({ 'secret/app/db': { user: 'u1', password: 'p1' } })
    const p = providerFor(fake)
    await p.set('app/db#password', 'p2')
    const rolled = await p.rollback!('app/db#password', '1')
    expect(rolled.version).toBe('3')
    expect((await p.get('app/db#password'))?.value).toBe('p1')
    expect((await p.versions!('app/db#password')).map((v) => [v.version, v.current])).toEqual([
      ['3', true],
      ['2', false],
      ['1', false],
    ])
    await expect(p.rollback!('app/db#password', '9')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('rotate through the manager writes a new version', async () => {
    const { fake } = await vault({ 'secret/app/API_TOKEN': { value: 'old' } })
    const p = providerFor(fake, { writable: true })
    const manager = new ConfigManager({ secrets: [p] })
    await manager.rotate('app/API_TOKEN', { generate: { type: 'password', length: 24 } })
    const now = await p.get('app/API_TOKEN')
    expect(now?.version).toBe('2')
    expect(now?.value).not.toBe('old')
  })
})

describe('mounts and store states', () => {
  it("version 'auto' asks sys/internal/ui/mounts once, and KV v1 has no versions", async () => {
    const { fake } = await vault({ 'kv1/legacy': { value: 'l' }, 'secret/modern': { value: 'm' } })
    const v1 = providerFor(fake, { version: 'auto', mount: 'kv1' })
    expect(await Promise.all([v1.get('legacy'), v1.get('legacy')])).toMatchObject([
      { value: 'l' },
      { value: 'l' },
    ])
    expect(fake.requests.count('sys.ui-mount')).toBe(1)
    expect((await v1.get('legacy'))?.version).toBeUndefined()
    await expect(v1.versions!('legacy')).rejects.toBeInstanceOf(ValidationError)
    const v2 = providerFor(fake, { version: 'auto', mount: 'secret' })
    expect((await v2.get('modern'))?.version).toBe('1')
  })

  it('KV v1 writes keep the other fields; ifVersion is always a conflict there', async () => {
    const { fake } = await vault({ 'kv1/app/db': { user: 'u', password: 'p' } })
    const p = providerFor(fake, { version: 1 })
    await p.set('app/db#password', 'q')
    expect((await p.get('app/db#user'))?.value).toBe('u')
    await expect(p.set('app/db#password', 'r', { ifVersion: '1' })).rejects.toBeInstanceOf(ConflictError)
  })

  it('a sealed Vault is UnavailableError and health says so', async () => {
    const { fake } = await vault({ 'secret/app': { value: 'a' } })
    const p = providerFor(fake)
    fake.seal()
    await expect(p.get('app')).rejects.toBeInstanceOf(UnavailableError)
    const health = await p.health()
    expect(health.ok).toBe(false)
    expect(health.message).toContain('sealed')
    fake.unseal()
    expect((await p.health()).ok).toBe(true)
  })

  it('namespace is sent as X-Vault-Namespace', async () => {
    const { fake } = await vault({})
    fake.createNamespace('team-a')
    fake.put('secret/app', { value: 'in-a' }, { namespace: 'team-a' })
    fake.put('secret/app', { value: 'in-root' })
    expect((await providerFor(fake, { namespace: 'team-a' }).get('app'))?.value).toBe('in-a')
    expect((await providerFor(fake).get('app'))?.value).toBe('in-root')
  })
})
