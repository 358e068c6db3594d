import { ValidationError } from '@polysecret/core'
import { describe, expect, it } from 'vitest'
import { vaultKeys } from '../src/key-mapping.js'
import { vaultKv } from '../src/vault-kv.js'

const base = { endpoint: 'http://127.0.0.1:8200', mount: 'secret', auth: 'root-token-for-tests' }

describe('vaultKv options', () => {
  it('lists every problem at once and never the token', () => {
    const error = (() => {
      try {
        vaultKv({
          endpoint: 'vault:8200',
          mount: '/secret/',
          version: 3 as never,
          auth: { appRole: { roleId: 'r' } } as never,
          concurrency: 0,
        })
      } catch (e) {
        return e
      }
    })() as ValidationError
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toContain('endpoint must be')
    expect(error.message).toContain('mount must be')
    expect(error.message).toContain('version must be 1, 2')
    expect(error.message).toContain('auth.appRole needs roleId and secretId')
    expect(error.message).toContain('concurrency must be')
  })

  it('needs auth unless a client is passed', () => {
    expect(() => vaultKv({ endpoint: base.endpoint, mount: 'secret' })).toThrow(/auth is required/)
    expect(() => vaultKv({ ...base, auth: { kubernetes: {} } as never })).toThrow(
      /auth.kubernetes needs role/,
    )
    expect(() => vaultKv({ ...base, auth: 42 as never })).toThrow(/auth must be a token/)
  })

  it('KV v1 reports no versions, watch or rollback; v2 does', () => {
    expect(vaultKv({ ...base, version: 1 }).capabilities).toMatchObject({
      versions: false,
      watch: false,
      rollback: false,
      write: true,
      list: true,
      batch: true,
    })
    expect(vaultKv(base).capabilities).toMatchObject({ versions: true, watch: true, rollback: true })
  })

  it('the provider object does not show its token', () => {
    const provider = vaultKv({ ...base, auth: 'hvs.do-not-print' })
    expect(JSON.stringify(provider)).not.toContain('do-not-print')
    expect(Object.values(provider).map(String).join()).not.toContain('do-not-print')
  })
})

describe('key mapping: path#field', () => {
  const keys = vaultKeys({}, 'vault-kv')
  it('splits the field off; a key without # is the default field "value"', () => {
    expect(keys.parse('app/db#password')).toMatchObject({
      path: 'app/db',
      field: 'password',
      explicitField: true,
    })
    expect(keys.parse('API_TOKEN')).toMatchObject({ path: 'API_TOKEN', field: 'value', explicitField: false })
    expect(keys.keyOf('app/db', 'password')).toBe('app/db#password')
    expect(keys.keyOf('API_TOKEN', 'value')).toBe('API_TOKEN')
  })
  it('honours prefix and defaultField', () => {
    const custom = vaultKeys({ prefix: 'myapp/', defaultField: 'secret' }, 'vault-kv')
    expect(custom.parse('db')).toMatchObject({ path: 'myapp/db', field: 'secret' })
    expect(custom.keyOf('myapp/db', 'secret')).toBe('db')
    expect(custom.keyOf('other/db', 'secret')).toBeUndefined()
  })
  it('rejects keys that are no Vault path', () => {
    for (const bad of ['', '#f', 'a#', '/a', 'a//b', 'a/'])
      expect(() => keys.parse(bad)).toThrow(ValidationError)
  })
})
