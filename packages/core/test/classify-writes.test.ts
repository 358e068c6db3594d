import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AccessEvent,
  ConfigManager,
  env,
  jsonFile,
  memory,
  type Provider,
  Secret,
  UnsupportedError,
  WriteError,
} from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'

// Reads after writes: what one manager writes, another manager over the same stores (a fresh
// process) reads — routing depends on the stores, never on the writing process's memory.

const reveal = (v: unknown) => (v instanceof Secret ? v.reveal() : v)

function stores(params: Record<string, string> = {}, secrets: Record<string, string> = {}) {
  return {
    secrets: memory(secrets, { name: 'secret-store' }),
    parameters: memory(params, { name: 'param-store' }),
  }
}

function managerOver(s: { secrets: Provider; parameters: Provider }, onAccess?: (e: AccessEvent) => void) {
  return new ConfigManager({ secrets: [s.secrets], parameters: [s.parameters], allowWrites: true, onAccess })
}

describe('reads after writes, across two managers over the same stores', () => {
  it('set(FOO, new Secret) replaces the old parameter for this manager and a fresh one', async () => {
    const s = stores({ FOO: 'old' })
    const writer = managerOver(s)
    expect(await writer.get('FOO')).toBe('old') // cached as a parameter before the write
    const written = await writer.set('FOO', new Secret('new'))
    expect(written).toMatchObject({ kind: 'secret', reason: 'hint', removedFrom: ['param-store'] })
    expect(reveal(await writer.get('FOO'))).toBe('new')
    const reader = managerOver(s)
    const meta = await reader.getWithMetadata('FOO')
    expect(meta).toMatchObject({ kind: 'secret', reason: 'found-in:secrets', provider: 'secret-store' })
    expect(reveal(meta.value)).toBe('new')
    expect(await s.parameters.get('FOO')).toBeUndefined()
  })

  it('a key promoted to secret by its value reads the new value in a fresh manager', async () => {
    const s = stores({ DATABASE_URL: 'postgres://app:old-pass@db/app' })
    const reader = managerOver(s)
    expect(reveal(await reader.get('DATABASE_URL'))).toBe('postgres://app:old-pass@db/app')
    const writer = managerOver(s)
    const written = await writer.set('DATABASE_URL', 'postgres://app:new-pass@db/app')
    expect(written).toMatchObject({ kind: 'secret', reason: 'value:url-with-password' })
    expect(written.results.map((r) => r.provider)).toEqual(['secret-store'])
    expect(reveal(await writer.get('DATABASE_URL'))).toBe('postgres://app:new-pass@db/app')
    const fresh = managerOver(s)
    const got = await fresh.get('DATABASE_URL')
    expect(got).toBeInstanceOf(Secret)
    expect(reveal(got)).toBe('postgres://app:new-pass@db/app')
    // The manager that read before the write serves the new value once its cache entry goes.
    reader.invalidate('DATABASE_URL')
    expect(reveal(await reader.get('DATABASE_URL'))).toBe('postgres://app:new-pass@db/app')
  })

  it('writing it back as a plain value is read as one again', async () => {
    const s = stores()
    const a = managerOver(s)
    await a.set('FOO', new Secret('hidden'))
    await a.set('FOO', 'plain-again')
    expect(await managerOver(s).get('FOO')).toBe('plain-again')
    expect(await a.get('FOO')).toBe('plain-again')
  })

  it('the removal is reported as a delete event; no event carries a value', async () => {
    const events: AccessEvent[] = []
    const s = stores({ FOO: 'old-value' })
    await managerOver(s, (e) => events.push(e)).set('FOO', new Secret('new-value'))
    expect(events.map((e) => [e.operation, e.provider, e.outcome])).toEqual([
      ['set', 'secret-store', 'ok'],
      ['delete', 'param-store', 'ok'],
    ])
    for (const e of events) expect(JSON.stringify(e)).not.toMatch(/old-value|new-value/)
  })

  it('an older copy the manager cannot remove fails the write with WriteError naming it', async () => {
    const readOnly = env({ env: { FOO: 'old' }, name: 'env' })
    const secrets = memory({}, { name: 'secret-store' })
    const m = new ConfigManager({ secrets: [secrets], parameters: [readOnly], allowWrites: true })
    const error = await m.set('FOO', new Secret('new')).catch((e) => e)
    expect(error).toBeInstanceOf(WriteError)
    expect(error.results.map((r: { provider: string; ok: boolean }) => [r.provider, r.ok])).toEqual([
      ['secret-store', true],
      ['env', false],
    ])
    expect(error.results[1].error).toBeInstanceOf(UnsupportedError)
    expect(error.results[1].error.message).toContain('reads by name serve first')
  })

  it('an explicit kind that matches the name leaves the other chain alone', async () => {
    const s = stores({}, { LOG_LEVEL: 'kept' })
    const m = managerOver(s)
    const written = await m.set('LOG_LEVEL', 'debug')
    expect(written.removedFrom).toBeUndefined()
    expect((await s.secrets.get('LOG_LEVEL'))?.value).toBe('kept')
  })
})

describe('reads after writes over files (separate provider instances, as in another process)', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('a value written as a secret is read back by a manager built from scratch', async () => {
    dir = mkdtempSync(join(tmpdir(), 'polysecret-raw-'))
    const build = () =>
      new ConfigManager({
        secrets: [jsonFile({ path: join(dir, 'secrets.json'), name: 'secrets-file', writable: true })],
        parameters: [jsonFile({ path: join(dir, 'params.json'), name: 'params-file', writable: true })],
      })
    await build().set('REDIS_URL', 'redis://cache:6379')
    expect(await build().get('REDIS_URL')).toBe('redis://cache:6379')
    await build().set('REDIS_URL', 'redis://:new-pass@cache:6379')
    const got = await build().getWithMetadata('REDIS_URL')
    expect(got).toMatchObject({ kind: 'secret', provider: 'secrets-file' })
    expect(reveal(got.value)).toBe('redis://:new-pass@cache:6379')
  })
})
