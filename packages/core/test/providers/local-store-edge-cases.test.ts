/** Edge cases found auditing the local stores: one test (or more) per fix. */
import { mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigManager } from '../../src/config-manager.js'
import { IntegrityError, ReadOnlyError, ValidationError } from '../../src/errors.js'
import { withFileLock } from '../../src/fs/file-lock.js'
import { dotenv } from '../../src/providers/dotenv.js'
import { encryptedFile } from '../../src/providers/encrypted-file.js'
import { env } from '../../src/providers/env.js'
import { jsonFile } from '../../src/providers/json-file.js'
import { memory } from '../../src/providers/memory.js'
import { yamlFile } from '../../src/providers/yaml-file.js'
import { FAST_SCRYPT, PASSPHRASE, RAW_KEY_HEX } from '../fixtures/encrypted.js'
import { collect, tempDirs } from '../fixtures/temp-dir.js'

const catchError = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  )
const syncError = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  return undefined
}

describe('nested keys (JSON, YAML)', () => {
  const makeDir = tempDirs()

  it('JSON: a "__proto__" segment is an ordinary key and never pollutes Object.prototype', async () => {
    const path = join(await makeDir(), 'c.json')
    await writeFile(path, '{"a": 1}\n')
    const p = jsonFile({ path, writable: true })
    await p.set!('__proto__.polluted', 'yes')
    await p.set!('constructor.name', 'plain')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false)
    const written = await readFile(path, 'utf8')
    expect(written).toContain('"__proto__": {\n    "polluted": "yes"\n  }')
    expect((await p.get('__proto__.polluted'))?.value).toBe('yes')
    expect((await p.get('constructor.name'))?.value).toBe('plain')
    await p.delete!('__proto__.polluted')
    expect(await p.get('__proto__.polluted')).toBeUndefined()
    expect(JSON.parse(await readFile(path, 'utf8')).a).toBe(1)
    // Reading inherited names finds nothing, and deleting one is a no-op.
    expect(await p.get('toString')).toBeUndefined()
    await p.delete!('__proto__.hasOwnProperty')
    expect(typeof Object.prototype.hasOwnProperty).toBe('function')
  })

  it.each([
    ['json', 'c.json', '{"a.b": "literal", "a": {"b": "nested", "c": "x"}}', jsonFile],
    ['yaml', 'c.yaml', '"a.b": literal\na:\n  b: nested\n  c: x\n', yamlFile],
  ] as const)(
    '%s: list() yields a literal dotted key once, not again for the nested path it shadows',
    async (_, file, text, make) => {
      const path = join(await makeDir(), file)
      await writeFile(path, text)
      const p = make({ path })
      expect((await collect(p.list())).map((k) => k.key)).toEqual(['a.b', 'a.c'])
      expect((await p.get('a.b'))?.value).toBe('literal')
    },
  )

  it('YAML: writing below an empty (null) key turns it into a mapping, as JSON does', async () => {
    const path = join(await makeDir(), 'c.yaml')
    await writeFile(path, '# keep\na:\nb: ~\nc: 1\n')
    const p = yamlFile({ path, writable: true })
    await p.set!('a.x', '1')
    await p.set!('b.y.z', 'deep')
    expect((await p.get('a.x'))?.value).toBe('1')
    expect((await p.get('b.y.z'))?.value).toBe('deep')
    expect(await readFile(path, 'utf8')).toContain('# keep')
    const json = join(await makeDir(), 'c.json')
    await writeFile(json, '{"a": null}')
    const j = jsonFile({ path: json, writable: true })
    await j.set!('a.x', '1')
    expect((await j.get('a.x'))?.value).toBe('1')
  })

  it('YAML: an edit the document cannot take (a path through an alias) is a ValidationError, file untouched', async () => {
    const path = join(await makeDir(), 'c.yaml')
    const text = 'a: &x {b: 1}\nc: *x\n'
    await writeFile(path, text)
    const error = await catchError(yamlFile({ path, writable: true }).set!('c.d', '2'))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error?.message).toContain('"c.d"')
    expect(await readFile(path, 'utf8')).toBe(text)
  })
})

describe('paths that are not files', () => {
  const makeDir = tempDirs()

  it.each([
    ['dotenv', dotenv],
    ['json-file', jsonFile],
    ['yaml-file', yamlFile],
  ] as const)(
    '%s: a directory is a ValidationError (not retried, no fallback), for reads and writes',
    async (_, make) => {
      const dir = await makeDir()
      const p = make({ path: dir, writable: true })
      for (const attempt of [
        () => p.get('A'),
        () => p.getMany(['A']),
        () => collect(p.list()),
        () => p.set!('A', 'v'),
      ]) {
        const error = await catchError(attempt())
        expect(error).toBeInstanceOf(ValidationError)
        expect(error?.message).toMatch(/is a directory, not a file/)
        expect((error as ValidationError).retryable).toBe(false)
      }
      expect(await p.health()).toMatchObject({ ok: false })
    },
  )

  it('encryptedFile: a directory, or a path below a file, is a ValidationError', async () => {
    const dir = await makeDir()
    const store = encryptedFile({ path: dir, key: RAW_KEY_HEX })
    for (const attempt of [() => store.get('A'), () => store.set('A', 'v')]) {
      expect(await catchError(attempt())).toBeInstanceOf(ValidationError)
    }
    await writeFile(join(dir, 'file'), 'x')
    const below = encryptedFile({ path: join(dir, 'file', 'secrets.enc'), key: RAW_KEY_HEX })
    const error = await catchError(below.get('A'))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error?.message).toMatch(/parent of the path is a file/)
  })
})

describe('encryptedFile() errors and credentials', () => {
  const makeDir = tempDirs()

  it('says each hint once, names the key and provider, and never shows the passphrase', async () => {
    const path = join(await makeDir(), 's.enc')
    await encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT }).set('K', 'value-0451')
    for (const [store, hint] of [
      [encryptedFile({ path, passphrase: 'wrong passphrase 42' }), 'Check the passphrase or key'],
      [encryptedFile({ path, key: RAW_KEY_HEX }), 'Pass the passphrase instead of key.'],
    ] as const) {
      const error = (await catchError(store.get('K'))) as IntegrityError
      expect(error).toBeInstanceOf(IntegrityError)
      expect(error.message.split(hint)).toHaveLength(2) // exactly once
      expect(error).toMatchObject({ key: 'K', provider: 'encrypted-file' })
      const shown = inspect(error, { showHidden: true, depth: 5 })
      expect(shown).not.toContain('wrong passphrase 42')
      expect(shown).not.toContain('value-0451')
    }
  })

  it('stores "__proto__" and other Object.prototype names as ordinary keys, across writes and instances', async () => {
    const path = join(await makeDir(), 's.enc')
    const store = encryptedFile({ path, key: RAW_KEY_HEX })
    await store.set('__proto__', 'p1')
    await store.set('constructor', 'c1')
    await store.set('__proto__', 'p2')
    const reader = encryptedFile({ path, key: RAW_KEY_HEX })
    expect(await reader.get('__proto__')).toMatchObject({ value: 'p2', version: '3' })
    expect((await reader.versions('__proto__')).map((v) => v.version)).toEqual(['3', '1'])
    expect((await reader.get('constructor'))?.value).toBe('c1')
    expect((await collect(reader.list())).map((k) => k.key)).toEqual(['__proto__', 'constructor'])
    await reader.delete('__proto__')
    expect(await store.get('__proto__')).toBeUndefined()
  })

  it('a file cut inside the magic bytes is reported as truncated', async () => {
    const path = join(await makeDir(), 's.enc')
    await writeFile(path, Buffer.from('POLY', 'latin1'))
    const error = await catchError(encryptedFile({ path, key: RAW_KEY_HEX }).get('K'))
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error?.message).toMatch(/truncated/)
  })

  it('a raw key of the wrong shape is a ValidationError naming the problem, never the key', () => {
    const path = '/tmp/never-written.enc'
    const cases: Array<[unknown, RegExp]> = [
      ['ab'.repeat(31), /62 hex characters, not 64/],
      [Buffer.alloc(32, 7).toString('base64').slice(0, 40), /base64 of \d+ bytes, not 32/],
      [Buffer.alloc(16, 7).toString('base64'), /base64 of 16 bytes, not 32/],
      ['this is not a key!', /neither hex nor base64/],
      [new Uint8Array(16), /Uint8Array given has 16 bytes/],
      ['   ', /it is empty/],
      [42, /a number was given/],
    ]
    for (const [key, problem] of cases) {
      const error = syncError(() => encryptedFile({ path, key: key as string }))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error?.message).toMatch(problem)
      if (typeof key === 'string' && key.trim()) expect(error?.message).not.toContain(key)
    }
  })

  it('accepts the usual spellings of one 32-byte key and they all open the same file', async () => {
    const path = join(await makeDir(), 's.enc')
    const bytes = Buffer.alloc(32)
    bytes.fill(0xfb, 0, 16).fill(0xff, 16) // bytes whose base64 has "+" / "/" and base64url "-" / "_"
    await encryptedFile({ path, key: bytes }).set('K', 'v')
    for (const spelling of [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      `0x${bytes.toString('hex')}`,
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      `${bytes.toString('base64')}\n`,
    ]) {
      expect((await encryptedFile({ path, key: spelling }).get('K'))?.value).toBe('v')
    }
  })

  it('refuses a header whose scrypt cost is within each range but absurd in total, before deriving', async () => {
    const path = join(await makeDir(), 's.enc')
    await encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT }).set('K', 'v')
    const file = await readFile(path)
    file[10] = 20 // N = 2^20
    file[11] = 32 // r = 32
    file[12] = 16 // p = 16 → 64 GiB of scrypt work before authentication could fail
    await writeFile(path, file)
    const error = await catchError(encryptedFile({ path, passphrase: PASSPHRASE }).get('K'))
    expect(error).toBeInstanceOf(IntegrityError)
    // the header check's message, not scrypt's own refusal after trying
    expect(error?.message).toMatch(/scrypt parameters out of range/)
    // …and such a cost cannot be configured for new files either.
    expect(() => encryptedFile({ path, passphrase: 'p', scrypt: { N: 2 ** 20, r: 32 } })).toThrow(
      /scrypt cost too high/,
    )
    expect(() => encryptedFile({ path, passphrase: 'p', scrypt: { N: 2 ** 17, r: 8, p: 16 } })).toThrow(
      /scrypt cost too high/,
    )
    expect(() => encryptedFile({ path, passphrase: 'p', scrypt: { N: 2 ** 20, r: 8, p: 1 } })).not.toThrow()
  })

  it('rekey switches credentials before releasing the lock: a write queued behind it uses the new key', async () => {
    const path = join(await makeDir(), 's.enc')
    const store = encryptedFile({ path, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT })
    const reader = encryptedFile({ path, key: RAW_KEY_HEX })
    await store.set('A', 'one')
    // Not awaited in between: the set waits on the in-process lock queue behind the rekey.
    const rekeyed = store.rekey({ key: RAW_KEY_HEX })
    const written = store.set('B', 'two')
    await Promise.all([rekeyed, written])
    expect((await reader.get('A'))?.value).toBe('one')
    expect((await reader.get('B'))?.value).toBe('two')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    await expect(encryptedFile({ path, passphrase: PASSPHRASE }).get('A')).rejects.toBeInstanceOf(
      IntegrityError,
    )
    // A failed rekey (damaged file) keeps the old credentials working.
    const other = join(await makeDir(), 'o.enc')
    const keep = encryptedFile({ path: other, key: RAW_KEY_HEX })
    await keep.set('K', 'v')
    await expect(keep.rekey({ passphrase: '' })).rejects.toBeInstanceOf(ValidationError)
    expect((await keep.get('K'))?.value).toBe('v')
  })

  it('writes through a symlink replace the target and keep the link (plain files too)', async () => {
    const dir = await makeDir()
    await mkdir(join(dir, 'real'))
    const real = join(dir, 'real', 's.enc')
    const link = join(dir, 'link.enc')
    await symlink(real, link)
    const store = encryptedFile({ path: link, key: RAW_KEY_HEX })
    await store.set('K', 'v1')
    await store.rekey({ key: Buffer.alloc(32, 1) })
    await store.set('K', 'v2')
    expect(await readlink(link)).toBe(real)
    expect((await encryptedFile({ path: real, key: Buffer.alloc(32, 1) }).get('K'))?.value).toBe('v2')
    expect((await stat(real)).mode & 0o777).toBe(0o600)
    // A plain file created through a dangling link: the link stays and points at the new file.
    const envReal = join(dir, 'real', '.env')
    const envLink = join(dir, '.env')
    await symlink(envReal, envLink)
    await dotenv({ path: envLink, writable: true }).set!('A', '1')
    expect(await readlink(envLink)).toBe(envReal)
    expect(await readFile(envReal, 'utf8')).toBe('A=1\n')
  })
})

describe('plain files: locking and versions', () => {
  const makeDir = tempDirs()

  it('a write through a symlink takes the lock of the real file', async () => {
    const dir = await makeDir()
    const real = join(dir, 'real.env')
    const link = join(dir, 'link.env')
    await writeFile(real, 'A=1\n')
    await symlink(real, link)
    const viaLink = dotenv({ path: link, writable: true })
    let release!: () => void
    const held = withFileLock(real, () => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    let done = false
    const write = viaLink.set!('B', '2').then(() => (done = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(done).toBe(false) // waiting for the lock the real path's writer holds
    release()
    await Promise.all([held, write])
    expect(await readFile(real, 'utf8')).toBe('A=1\nB=2\n')
    expect(await readlink(link)).toBe(real)
  })

  it('get(key, { version }) finds the value only at its current version (no history is kept)', async () => {
    const path = join(await makeDir(), 'c.json')
    await writeFile(path, '{"A": "one"}')
    const p = jsonFile({ path, writable: true })
    const first = await p.get('A')
    expect(await p.get('A', { version: first!.version! })).toEqual(first)
    await p.set!('A', 'two')
    expect(await p.get('A', { version: first!.version! })).toBeUndefined()
    expect(await p.get('A', { label: 'previous' })).toBeUndefined()
    expect((await p.get('A', { label: 'current' }))?.value).toBe('two')
  })
})

describe('memory() and env() input checks', () => {
  it('memory: a value that is neither text nor bytes is a ValidationError, like encryptedFile', async () => {
    const p = memory()
    for (const value of [5, null, undefined, { a: 1 }]) {
      const error = await catchError(p.set('K', value as unknown as string))
      expect(error).toBeInstanceOf(ValidationError)
    }
    expect(await p.versions('K')).toEqual([])
  })

  it('env: an empty key is a ValidationError (as in every other provider), not the prefix variable', async () => {
    const p = env({ prefix: 'APP_', env: { APP_: 'bare prefix', APP_X: '1' } })
    await expect(p.get('')).rejects.toBeInstanceOf(ValidationError)
    expect(await p.get('toString')).toBeUndefined()
    expect((await collect(p.list())).map((k) => k.key)).toEqual(['X'])
  })
})

describe("writable: true opts a local provider in to the manager's writes on its own", () => {
  const makeDir = tempDirs()

  it('dotenv / jsonFile / yamlFile / encryptedFile / memory with writable: true, manager without allowWrites', async () => {
    const dir = await makeDir()
    const providers = [
      dotenv({ path: join(dir, '.env'), writable: true }),
      jsonFile({ path: join(dir, 'c.json'), writable: true }),
      yamlFile({ path: join(dir, 'c.yaml'), writable: true }),
      encryptedFile({ path: join(dir, 's.enc'), key: RAW_KEY_HEX, writable: true }),
      memory({}, { writable: true }),
    ]
    for (const provider of providers) {
      expect(provider.writable).toBe(true)
      const manager = new ConfigManager({ parameters: [provider] })
      const result = await manager.set('APP_HOST', 'h')
      expect(result.results[0]).toMatchObject({ provider: provider.name, ok: true })
      expect((await provider.get('APP_HOST'))?.value).toBe('h')
    }
    // Without the opt-in the manager's default (no writes) holds; a read-only file has no write at all.
    for (const provider of [encryptedFile({ path: join(dir, 'ro.enc'), key: RAW_KEY_HEX }), memory()]) {
      expect(provider.writable).toBeUndefined()
      const error = await catchError(new ConfigManager({ parameters: [provider] }).set('APP_HOST', 'h'))
      expect(error).toBeInstanceOf(ReadOnlyError)
    }
    const readOnlyFile = dotenv({ path: join(dir, 'ro.env') })
    expect(readOnlyFile.writable).toBeUndefined()
    expect(readOnlyFile.capabilities.write).toBe(false)
    expect(() => memory({}, { writable: 'yes' as unknown as boolean })).toThrow(ValidationError)
    expect(() =>
      encryptedFile({ path: join(dir, 'x.enc'), key: RAW_KEY_HEX, writable: 1 as unknown as boolean }),
    ).toThrow(ValidationError)
  })
})
