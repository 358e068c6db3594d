import { describe, expect, it } from 'vitest'
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js'
import { memory } from '../../src/providers/memory.js'
import { collect } from '../fixtures/temp-dir.js'

describe('memory()', () => {
  it('reads initial values and writes new versions with increasing ids', async () => {
    const p = memory({ A: 'one' })
    expect(await p.get('A')).toMatchObject({ value: 'one', version: '1', labels: ['current'] })
    const v2 = await p.set('A', 'two')
    expect(v2).toMatchObject({ key: 'A', version: '2', current: true })
    expect((await p.get('A'))?.value).toBe('two')
    expect((await p.get('A', { version: '1' }))?.value).toBe('one')
    expect((await p.get('A', { label: 'previous' }))?.value).toBe('one')
    expect(await p.get('A', { version: '99' })).toBeUndefined()
    expect((await p.versions('A')).map((v) => [v.version, v.current])).toEqual([
      ['2', true],
      ['1', false],
    ])
  })

  it('enforces ifVersion and createOnly with ConflictError carrying the current version', async () => {
    const p = memory({ A: 'one' })
    await expect(p.set('A', 'x', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    const err = await p.set('A', 'x', { ifVersion: '7' }).catch((e) => e)
    expect(err).toBeInstanceOf(ConflictError)
    expect(err.currentVersion).toBe('1')
    expect(err.message).not.toContain('one')
    await expect(p.set('A', 'x', { ifVersion: '1' })).resolves.toMatchObject({ version: '2' })
    await expect(p.set('B', 'new', { createOnly: true })).resolves.toMatchObject({ version: '3' })
    await expect(p.delete('B', { ifVersion: '1' })).rejects.toBeInstanceOf(ConflictError)
  })

  it('rolls back by writing the old value as a new version', async () => {
    const p = memory({ A: 'one' })
    await p.set('A', 'two')
    const info = await p.rollback('A', '1')
    expect(info.version).toBe('3')
    expect(await p.get('A')).toMatchObject({ value: 'one', version: '3', metadata: { rollbackOf: '1' } })
    await expect(p.rollback('A', '42')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('deletes keys; a re-created key never reuses an old version id', async () => {
    const p = memory({ A: 'one' })
    await p.delete('A')
    expect(await p.get('A')).toBeUndefined()
    expect(await p.versions('A')).toEqual([])
    await p.delete('A') // idempotent
    expect((await p.set('A', 'again')).version).toBe('2')
  })

  it('stores bytes by copy, lists sorted keys, batches, and trims history', async () => {
    const p = memory({}, { history: 2 })
    const bytes = new Uint8Array([0, 255, 7])
    await p.set('BIN', bytes)
    bytes[0] = 9
    expect((await p.get('BIN'))?.value).toEqual(new Uint8Array([0, 255, 7]))
    await p.set('K', '1')
    await p.set('K', '2')
    await p.set('K', '3')
    expect((await p.versions('K')).map((v) => v.version)).toEqual(['4', '3'])
    expect((await collect(p.list())).map((k) => k.key)).toEqual(['BIN', 'K'])
    const batch = await p.getMany(['K', 'NOPE'])
    expect([...batch.entries.keys()]).toEqual(['K'])
  })

  it('treats "__proto__" as an ordinary key', async () => {
    const p = memory()
    await p.set('__proto__', 'v')
    expect((await p.get('__proto__'))?.value).toBe('v')
    expect(await p.get('toString')).toBeUndefined()
  })

  it('validates options and keys', async () => {
    expect(() => memory({}, { history: 0 })).toThrow(ValidationError)
    expect(() => memory({ A: 1 as unknown as string })).toThrow(ValidationError)
    await expect(memory().get('')).rejects.toBeInstanceOf(ValidationError)
  })
})
