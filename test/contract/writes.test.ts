import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import {
  type AccessEvent,
  ConfigManager,
  ConflictError,
  dotenv,
  env,
  jsonFile,
  memory,
  NotFoundError,
  PolysecretError,
  ReadOnlyError,
  Secret,
  UnavailableError,
  UnsupportedError,
  ValidationError,
  WriteError,
  yamlFile,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'

const S = 'n3w-p4ss-secret-ABC123'
const tmp = () => mkdtempSync(join(tmpdir(), 'ps-contract-'))

describe('contract: writes are off by default', () => {
  it('set/delete/rollback/rotate → ReadOnlyError without allowWrites', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })] })
    await expect(m.set('DB_PASSWORD', 'b')).rejects.toBeInstanceOf(ReadOnlyError)
    await expect(m.delete('DB_PASSWORD')).rejects.toBeInstanceOf(ReadOnlyError)
    await expect(m.rollback('DB_PASSWORD', '1')).rejects.toBeInstanceOf(ReadOnlyError)
    await expect(m.rotate('DB_PASSWORD', { value: 'c' })).rejects.toBeInstanceOf(ReadOnlyError)
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('a')
    const e = await m.set('DB_PASSWORD', S).catch((x) => x)
    expect(e.key).toBe('DB_PASSWORD')
    expect(e.hint).toBeTruthy()
    expect(inspect(e, { showHidden: true })).not.toContain(S)
  })
  it('provider-level writable: true opts in alone (dotenv/jsonFile/yamlFile writable: true, no allowWrites)', async () => {
    const dir = tmp()
    const m = new ConfigManager({ parameters: [dotenv({ path: join(dir, '.env'), writable: true })] })
    const r = await m.set('A_HOST', 'h')
    expect(r.results[0]!.ok).toBe(true)
    expect(await m.get('A_HOST')).toBe('h')
    for (const p of [
      jsonFile({ path: join(dir, 'c.json'), writable: true }),
      yamlFile({ path: join(dir, 'c.yaml'), writable: true }),
    ]) {
      const mm = new ConfigManager({ parameters: [p] })
      await expect(mm.set('B_HOST', 'b')).resolves.toMatchObject({ key: 'B_HOST' })
    }
  })
  it('env is never writable → UnsupportedError naming write', async () => {
    const m = new ConfigManager({ parameters: [env({ env: {} })], allowWrites: true })
    const e = await m.set('A_HOST', 'x', { to: 'env' }).catch((x) => x)
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.capability ?? e.message).toMatch(/write/)
  })
  it('a chain with only env: set with no destination gives a clear typed error', async () => {
    const m = new ConfigManager({ parameters: [env({ env: {} })], allowWrites: true })
    const e = await m.set('A_HOST', 'x').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
  })
})

describe('contract: destinations', () => {
  it('first writable provider of the chain (skipping env)', async () => {
    const a = memory({}, { name: 'a' })
    const b = memory({}, { name: 'b' })
    const m = new ConfigManager({ secrets: [env({ env: {} }), a, b], allowWrites: true })
    const r = await m.set('DB_PASSWORD', S)
    expect(r.kind).toBe('secret')
    expect(r.results.map((x) => x.provider)).toEqual(['a'])
    expect((await a.get('DB_PASSWORD'))?.value).toBe(S)
    expect(await b.get('DB_PASSWORD')).toBeUndefined()
    expect(JSON.stringify(r)).not.toContain(S)
  })
  it("to: [...] and to: 'all' produce a result per destination", async () => {
    const a = memory({}, { name: 'a' })
    const b = memory({}, { name: 'b' })
    const m = new ConfigManager({ parameters: [env({ env: {} }), a, b], allowWrites: true })
    const r1 = await m.set('FLAG_MODE', 'x', { to: ['b'] })
    expect(r1.results.map((x) => x.provider)).toEqual(['b'])
    const r2 = await m.set('FLAG_MODE', 'y', { to: 'all' })
    expect(r2.results.map((x) => x.provider).sort()).toEqual(['a', 'b'])
    expect(r2.results.every((x) => x.ok)).toBe(true)
    expect((await a.get('FLAG_MODE'))?.value).toBe('y')
  })
  it('to: unknown provider → ValidationError', async () => {
    const m = new ConfigManager({ parameters: [memory({}, { name: 'a' })], allowWrites: true })
    await expect(m.set('A_HOST', 'x', { to: ['nope'] })).rejects.toBeInstanceOf(ValidationError)
  })
  it('to: a provider of the other chain is written when named explicitly', async () => {
    const s = memory({}, { name: 's' })
    const p = memory({}, { name: 'p' })
    const m = new ConfigManager({ secrets: [s], parameters: [p], allowWrites: true })
    const r = await m.set('A_HOST', 'x', { to: ['s'] })
    expect(r.results).toEqual([{ provider: 's', ok: true, version: '1' }])
    expect((await s.get('A_HOST'))?.value).toBe('x')
    expect(await p.get('A_HOST')).toBeUndefined()
  })
  it('multi-destination partial failure → WriteError with results; no silent partial success', async () => {
    const a = memory({}, { name: 'a' })
    const b = instrument(memory({}, { name: 'b' }), {
      fault: ({ operation }) => (operation === 'set' ? new UnavailableError({ provider: 'b' }) : undefined),
    })
    const m = new ConfigManager({ secrets: [a, b.provider], allowWrites: true, retry: false })
    const e = await m.set('DB_PASSWORD', S, { to: 'all' }).catch((x) => x)
    expect(e).toBeInstanceOf(WriteError)
    expect(e.results).toHaveLength(2)
    expect(e.results.find((r: { provider: string }) => r.provider === 'a').ok).toBe(true)
    expect(e.results.find((r: { provider: string }) => r.provider === 'b').ok).toBe(false)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
    expect(e.key).toBe('DB_PASSWORD')
  })
  it('single destination failure is thrown as is', async () => {
    const b = instrument(memory({}, { name: 'b' }), {
      fault: ({ operation }) => (operation === 'set' ? new UnavailableError({ provider: 'b' }) : undefined),
    })
    const m = new ConfigManager({ secrets: [b.provider], allowWrites: true, retry: false })
    await expect(m.set('DB_PASSWORD', 'x')).rejects.toBeInstanceOf(UnavailableError)
  })
  it('classification of writes sees the value', async () => {
    const s = memory({}, { name: 's' })
    const p = memory({}, { name: 'p' })
    const m = new ConfigManager({ secrets: [s], parameters: [p], allowWrites: true })
    const r = await m.set('DATABASE_URL', 'postgres://u:pw@h/db')
    expect(r.kind).toBe('secret')
    expect(r.reason).toBe('value:url-with-password')
    expect(await p.get('DATABASE_URL')).toBeUndefined()
    expect((await s.get('DATABASE_URL'))?.value).toBe('postgres://u:pw@h/db')
  })
  it('passing a Secret makes it a secret', async () => {
    const s = memory({}, { name: 's' })
    const m = new ConfigManager({ secrets: [s], parameters: [memory({}, { name: 'p' })], allowWrites: true })
    const r = await m.set('GREETING', new Secret(S))
    expect(r.kind).toBe('secret')
    expect((await s.get('GREETING'))?.value).toBe(S)
  })
})

describe('contract: concurrency guards', () => {
  it('ifVersion mismatch → ConflictError with currentVersion; match succeeds', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    const e = await m.set('DB_PASSWORD', 'b', { ifVersion: '99' }).catch((x) => x)
    expect(e).toBeInstanceOf(ConflictError)
    expect(e.currentVersion).toBe('1')
    expect(e.key).toBe('DB_PASSWORD')
    const ok = await m.set('DB_PASSWORD', 'b', { ifVersion: '1' })
    expect(ok.version).toBe('2')
  })
  it('createOnly on existing → ConflictError; on new → ok', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    await expect(m.set('DB_PASSWORD', 'b', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    const r = await m.set('NEW_TOKEN', 'b', { createOnly: true })
    expect(r.results[0]!.ok).toBe(true)
  })
  it('concurrent createOnly: exactly one wins', async () => {
    const m = new ConfigManager({ secrets: [memory({})], allowWrites: true })
    const rs = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => m.set('BOOT_TOKEN', `v${i}`, { createOnly: true })),
    )
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(
      rs
        .filter((r) => r.status === 'rejected')
        .every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError),
    ).toBe(true)
  })
  it('concurrent ifVersion writes: exactly one wins', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    const rs = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => m.set('DB_PASSWORD', `v${i}`, { ifVersion: '1' })),
    )
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })
  it('ifVersion / createOnly on dotenv', async () => {
    const dir = tmp()
    const path = join(dir, '.env')
    writeFileSync(path, 'A_HOST=a\n')
    const m = new ConfigManager({ parameters: [dotenv({ path, writable: true })], allowWrites: true })
    await expect(m.set('A_HOST', 'x', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    const v = (await m.getWithMetadata('A_HOST')).version
    expect(v).toMatch(/^[\w-]{16}$/) // dotenv reports a value version
    await expect(m.set('A_HOST', 'x', { ifVersion: `${v}-nope` })).rejects.toBeInstanceOf(ConflictError)
    await m.set('A_HOST', 'y', { ifVersion: v })
    expect(readFileSync(path, 'utf8')).toBe('A_HOST=y\n')
  })
})

describe('contract: cache invalidation and events on writes', () => {
  it('set invalidates the cached value', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    await m.get('DB_PASSWORD')
    await m.set('DB_PASSWORD', 'b')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('b')
  })
  it('delete invalidates: the next read is not-found', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    await m.get('DB_PASSWORD')
    await m.delete('DB_PASSWORD')
    await expect(m.get('DB_PASSWORD')).rejects.toBeInstanceOf(NotFoundError)
  })
  it('write with a value that promotes the kind invalidates the cached entry of the other kind', async () => {
    // DATABASE_URL first cached as a parameter, then rewritten with a password: the parameter cache must not keep serving the old one.
    const p = memory({ DATABASE_URL: 'postgres://h/db' }, { name: 'p' })
    const s = memory({}, { name: 's' })
    const m = new ConfigManager({ secrets: [s], parameters: [p], allowWrites: true })
    expect(await m.get('DATABASE_URL')).toBe('postgres://h/db')
    await m.set('DATABASE_URL', 'postgres://u:pw@h/db', { to: ['p'] })
    const after = await m.get('DATABASE_URL')
    // Whether it comes back as a Secret is the classification's business; the value must be the new one.
    expect(after instanceof Secret ? after.reveal() : after).toBe('postgres://u:pw@h/db')
  })
  it('set emits an access event (operation set) without the value', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({
      secrets: [memory({}, { name: 'm' })],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    await m.set('DB_PASSWORD', S)
    await m.delete('DB_PASSWORD')
    const set = events.find((e) => e.operation === 'set')
    expect(set).toMatchObject({ key: 'DB_PASSWORD', kind: 'secret', provider: 'm', outcome: 'ok' })
    expect(events.find((e) => e.operation === 'delete')).toMatchObject({ key: 'DB_PASSWORD' })
    expect(JSON.stringify(events)).not.toContain(S)
  })
  it('multi-destination set: one event per destination', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({
      secrets: [memory({}, { name: 'a' }), memory({}, { name: 'b' })],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    await m.set('DB_PASSWORD', S, { to: 'all' })
    expect(
      events
        .filter((e) => e.operation === 'set')
        .map((e) => e.provider)
        .sort(),
    ).toEqual(['a', 'b'])
  })
  it('failed write (ConflictError) emits a set event with outcome error', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({
      secrets: [memory({ DB_PASSWORD: 'a' })],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    await expect(m.set('DB_PASSWORD', 'b', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    expect(events.filter((e) => e.operation === 'set')).toMatchObject([
      { key: 'DB_PASSWORD', provider: 'memory', outcome: 'error', errorCode: 'CONFLICT' },
    ])
  })
  it('a write refused as read-only emits one set event with outcome error and READ_ONLY', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({ secrets: [memory({})], onAccess: (e) => events.push(e) })
    await expect(m.set('DB_PASSWORD', 'b')).rejects.toBeInstanceOf(ReadOnlyError)
    expect(events).toMatchObject([
      { operation: 'set', key: 'DB_PASSWORD', kind: 'secret', outcome: 'error', errorCode: 'READ_ONLY' },
    ])
  })
  it('bad write input → ValidationError, manager keeps working', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    await expect(m.set('', 'x')).rejects.toBeInstanceOf(ValidationError)
    await expect(m.set('DB_PASSWORD', 42 as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.set('DB_PASSWORD', undefined as never)).rejects.toBeInstanceOf(ValidationError)
    await expect(m.delete('' as never)).rejects.toBeInstanceOf(ValidationError)
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('a')
  })
  it('delete of a key that exists nowhere succeeds (deletes are idempotent); the key stays not found', async () => {
    const m = new ConfigManager({ secrets: [memory({})], allowWrites: true })
    expect(await m.delete('NOPE_TOKEN')).toEqual([{ provider: 'memory', ok: true, version: undefined }])
    await expect(m.get('NOPE_TOKEN')).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('contract: file providers', () => {
  it('json file nested keys by dot path and writes', async () => {
    const dir = tmp()
    const path = join(dir, 'c.json')
    writeFileSync(path, JSON.stringify({ database: { host: 'h', port: 5432 } }))
    const m = new ConfigManager({ parameters: [jsonFile({ path, writable: true })], allowWrites: true })
    expect(await m.get('database.host')).toBe('h')
    expect(await m.get('database.port')).toBe('5432')
    await m.set('database.name', 'app')
    expect(JSON.parse(readFileSync(path, 'utf8')).database.name).toBe('app')
  })
  it('malformed json file → clear typed error (ValidationError), manager keeps working after fix', async () => {
    const dir = tmp()
    const path = join(dir, 'c.json')
    writeFileSync(path, '{ "a": ')
    const m = new ConfigManager({
      parameters: [jsonFile({ path })],
      secrets: [memory({ OTHER_TOKEN: 'o' }, { name: 'm' })],
    })
    const e = await m.get('A_HOST').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toMatch(/c\.json/)
    expect(((await m.get('OTHER_TOKEN')) as Secret).reveal()).toBe('o')
    writeFileSync(path, '{ "A_HOST": "fixed" }')
    expect(await m.get('A_HOST', { fresh: true })).toBe('fixed')
  })
  it('malformed yaml file → typed error', async () => {
    const dir = tmp()
    const path = join(dir, 'c.yaml')
    writeFileSync(path, 'a: [1, 2\nb: : :')
    const m = new ConfigManager({ parameters: [yamlFile({ path })] })
    await expect(m.get('a')).rejects.toBeInstanceOf(ValidationError)
  })
  it('malformed json file with a secret in it: error does not leak the file content', async () => {
    const dir = tmp()
    const path = join(dir, 'c.json')
    writeFileSync(path, `{ "DB_PASSWORD": "${S}", oops }`)
    const m = new ConfigManager({ secrets: [jsonFile({ path })] })
    const e = await m.get('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(PolysecretError)
    expect(inspect(e, { showHidden: true, depth: 10 })).not.toContain(S)
  })
  it('missing file reads as empty → not found', async () => {
    const m = new ConfigManager({ parameters: [dotenv({ path: join(tmp(), 'nope.env') })] })
    await expect(m.get('A_HOST')).rejects.toBeInstanceOf(NotFoundError)
  })
  it('dotenv quoting round trip of tricky values', async () => {
    const dir = tmp()
    const m = new ConfigManager({
      parameters: [dotenv({ path: join(dir, '.env'), writable: true })],
      allowWrites: true,
    })
    const tricky = [
      'a b',
      'x=y',
      'line1\nline2',
      '"quoted"',
      "it's",
      '#not comment',
      '$HOME',
      ' lead',
      'trail ',
      'back\\slash',
      '',
    ]
    for (const [i, val] of tricky.entries()) await m.set(`K${i}_MODE`, val)
    m.clear()
    for (const [i, val] of tricky.entries()) expect(await m.get(`K${i}_MODE`), JSON.stringify(val)).toBe(val)
  })
})

describe('contract: versions, rollback, rotate', () => {
  it('versions newest first, get by version, rollback creates a new version', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'v1' })], allowWrites: true })
    await m.set('DB_PASSWORD', 'v2')
    await m.set('DB_PASSWORD', 'v3')
    const vs = await m.versions('DB_PASSWORD')
    expect(vs.map((v) => v.version)).toEqual(['3', '2', '1'])
    expect(vs[0]!.current).toBe(true)
    expect(vs.filter((v) => v.current)).toHaveLength(1)
    expect(((await m.get('DB_PASSWORD', { version: '1' })) as Secret).reveal()).toBe('v1')
    const rb = await m.rollback('DB_PASSWORD', '1')
    expect(rb.version).toBe('4')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('v1')
  })
  it('get by version does not poison the cache for the current value', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'v1' })], allowWrites: true })
    await m.set('DB_PASSWORD', 'v2')
    expect(((await m.get('DB_PASSWORD', { version: '1' })) as Secret).reveal()).toBe('v1')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('v2')
    expect(((await m.get('DB_PASSWORD', { version: '1' })) as Secret).reveal()).toBe('v1')
  })
  it('get unknown version → NotFoundError', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'v1' })] })
    await expect(m.get('DB_PASSWORD', { version: '42' })).rejects.toBeInstanceOf(NotFoundError)
  })
  it('rollback to an unknown version → typed error, not a crash', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'v1' })], allowWrites: true })
    await expect(m.rollback('DB_PASSWORD', '42')).rejects.toBeInstanceOf(PolysecretError)
  })
  it('rollback invalidates the cache', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'v1' })], allowWrites: true })
    await m.set('DB_PASSWORD', 'v2')
    await m.get('DB_PASSWORD')
    await m.rollback('DB_PASSWORD', '1')
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('v1')
  })
  it('versions on a provider without the capability → UnsupportedError naming versions', async () => {
    const m = new ConfigManager({ secrets: [env({ env: { DB_PASSWORD: 'x' } })] })
    const e = await m.versions('DB_PASSWORD').catch((x) => x)
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.capability).toBe('versions')
    expect(e.message).toMatch(/versions/)
    const e2 = await m.get('DB_PASSWORD', { version: '1' }).catch((x) => x)
    expect(e2).toBeInstanceOf(PolysecretError)
    expect(e2).not.toBeInstanceOf(NotFoundError)
  })
  it('versions of a missing key → NotFoundError', async () => {
    const m = new ConfigManager({ secrets: [memory({})] })
    await expect(m.versions('NOPE_TOKEN')).rejects.toBeInstanceOf(NotFoundError)
  })
  it('rotate with value returns previous and new version ids; reading returns the new value', async () => {
    const events: AccessEvent[] = []
    const m = new ConfigManager({
      secrets: [memory({ API_KEY: 'old' }, { name: 'm' })],
      allowWrites: true,
      onAccess: (e) => events.push(e),
    })
    await m.get('API_KEY')
    const r = await m.rotate('API_KEY', { value: S })
    expect(r).toMatchObject({
      key: 'API_KEY',
      provider: 'm',
      previousVersion: '1',
      newVersion: '2',
      version: '2',
    })
    expect(((await m.get('API_KEY')) as Secret).reveal()).toBe(S)
    expect(JSON.stringify(r)).not.toContain(S)
    expect(JSON.stringify(events)).not.toContain(S)
    expect(events.some((e) => e.operation === 'rotate')).toBe(true)
  })
  it('rotate with generate: password', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'old' })], allowWrites: true })
    const r = await m.rotate('DB_PASSWORD', { generate: { type: 'password', length: 32, symbols: true } })
    const v = ((await m.get('DB_PASSWORD')) as Secret).reveal()
    expect(v).toHaveLength(32)
    expect(v).not.toBe('old')
    expect(r.previousVersion).toBe('1')
    expect(r.newVersion).toBe('2')
    expect(JSON.stringify(r)).not.toContain(v)
  })
  it('rotate generate bytes / uuid / keypair', async () => {
    const m = new ConfigManager({ secrets: [memory({})], allowWrites: true })
    await m.rotate('WEBHOOK_SECRET', { generate: { type: 'bytes', bytes: 32, encoding: 'base64url' } })
    expect(((await m.get('WEBHOOK_SECRET')) as Secret).reveal()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const r = await m.rotate('SIGNING_KEY', { generate: { type: 'keypair', keyType: 'ed25519' } })
    expect(r.previousVersion).toBeUndefined()
    expect(((await m.get('SIGNING_KEY')) as Secret).reveal()).toMatch(/BEGIN PRIVATE KEY/)
  })
  it('rotate with an invalid generate spec → ValidationError', async () => {
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'x' })], allowWrites: true })
    await expect(
      m.rotate('DB_PASSWORD', { generate: { type: 'password', length: -1 } } as never),
    ).rejects.toBeInstanceOf(ValidationError)
    await expect(m.rotate('DB_PASSWORD', { generate: { type: 'nope' } } as never)).rejects.toBeInstanceOf(
      ValidationError,
    )
    await expect(m.rotate('DB_PASSWORD', {} as never)).rejects.toBeInstanceOf(ValidationError)
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('x')
  })
  it('concurrent rotations of one key: the first wins, the second is a ConflictError', async () => {
    const m = new ConfigManager({ secrets: [memory({ API_KEY: 'old' })], allowWrites: true })
    const rs = await Promise.allSettled([
      m.rotate('API_KEY', { value: 'a' }),
      m.rotate('API_KEY', { value: 'b' }),
    ])
    // Both read version 1; each writes guarded with ifVersion '1': the first wins, the second conflicts.
    expect(rs[0]).toEqual({
      status: 'fulfilled',
      value: { key: 'API_KEY', provider: 'memory', previousVersion: '1', newVersion: '2', version: '2' },
    })
    expect(rs[1]!.status).toBe('rejected')
    expect((rs[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError)
    expect(((await m.get('API_KEY')) as Secret).reveal()).toBe('a')
  })
  it('rotate on a provider without write → UnsupportedError naming write', async () => {
    const m = new ConfigManager({ secrets: [env({ env: { API_KEY: 'x' } })], allowWrites: true })
    const e = await m.rotate('API_KEY', { value: 'y', to: ['env'] }).catch((x) => x)
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.capability).toBe('write')
  })
})
