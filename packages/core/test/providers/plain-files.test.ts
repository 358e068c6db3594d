import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConflictError, ValidationError } from '../../src/errors.js'
import { dotenv } from '../../src/providers/dotenv.js'
import { jsonFile } from '../../src/providers/json-file.js'
import { yamlFile } from '../../src/providers/yaml-file.js'
import { collect, tempDirs } from '../fixtures/temp-dir.js'

const SECRET = 'hunter2-supersecret'

/** The same behaviour in three syntaxes: each case gives a file with A=alpha and B=<SECRET>, and a broken one. */
const formats = [
  {
    type: 'dotenv',
    make: dotenv,
    file: '.env',
    text: `# comment\nA=alpha\nB=${SECRET}\n`,
    edited: 'A=changed\nB=x\n',
    broken: `A=alpha\nB="${SECRET}\n`,
    brokenLine: 2,
  },
  {
    type: 'json-file',
    make: jsonFile,
    file: 'config.json',
    text: `{\n  "A": "alpha",\n  "B": "${SECRET}"\n}\n`,
    edited: '{ "A": "changed", "B": "x" }',
    broken: `{\n  "A": "alpha",\n  "B": "${SECRET}"\n  "C": 1\n}\n`,
    brokenLine: 4,
  },
  {
    type: 'yaml-file',
    make: yamlFile,
    file: 'config.yaml',
    text: `# comment\nA: alpha\nB: ${SECRET}\n`,
    edited: 'A: changed\nB: x\n',
    broken: `A: alpha\nB: ${SECRET}\n\tC: 1\n`,
    brokenLine: 3,
  },
] as const

describe.each(formats)('$type', (f) => {
  const makeDir = tempDirs()

  async function setup(text: string | undefined, writable = false) {
    const path = join(await makeDir(), f.file)
    if (text !== undefined) await writeFile(path, text)
    return { path, provider: f.make({ path, writable }) }
  }

  it('reads keys, lists them, batches, and reports an opaque version', async () => {
    const { provider } = await setup(f.text)
    expect(provider.name).toBe(f.type)
    const entry = await provider.get('B')
    expect(entry?.value).toBe(SECRET)
    expect(entry?.version).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(entry?.version).not.toContain(SECRET)
    expect(await provider.get('NOPE')).toBeUndefined()
    expect((await collect(provider.list())).map((k) => k.key)).toEqual(['A', 'B'])
    const batch = await provider.getMany(['A', 'NOPE'])
    expect([...batch.entries.keys()]).toEqual(['A'])
  })

  it('picks up external edits, and the version changes only when the value does', async () => {
    const { path, provider } = await setup(f.text)
    const before = await provider.get('A')
    expect((await provider.get('A'))?.version).toBe(before?.version)
    await writeFile(path, f.edited)
    const after = await provider.get('A')
    expect(after?.value).toBe('changed')
    expect(after?.version).not.toBe(before?.version)
  })

  it('reads a missing file as empty, and is read-only unless writable', async () => {
    const { provider } = await setup(undefined)
    expect(await provider.get('A')).toBeUndefined()
    expect(await collect(provider.list())).toEqual([])
    expect(provider.capabilities.write).toBe(false)
    expect('set' in provider).toBe(false)
    expect(await provider.health()).toMatchObject({ ok: true })
  })

  it('rejects a malformed file naming file and line but not the value, and recovers once fixed', async () => {
    const { path, provider } = await setup(f.broken)
    const error = await provider.get('A').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    const message = (error as Error).message
    expect(message).toContain(`${path}:${f.brokenLine}:`)
    expect(message).not.toContain(SECRET)
    expect(message).not.toContain('alpha')
    expect(JSON.stringify(error)).not.toContain(SECRET)
    expect((error as ValidationError).provider).toBe(f.type)
    expect(await provider.health()).toMatchObject({ ok: false })
    await writeFile(path, f.text)
    expect((await provider.get('A'))?.value).toBe('alpha')
  })

  it('creates the file with mode 0600 on the first write, and deletes keys', async () => {
    const { path, provider } = await setup(undefined, true)
    const info = await provider.set!('NEW', 'v a l u e\n"quoted"')
    expect(info.version).toBe((await provider.get('NEW'))?.version)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await provider.get('NEW'))?.value).toBe('v a l u e\n"quoted"')
    await provider.set!('OTHER', '5432')
    await provider.delete!('NEW')
    expect(await provider.get('NEW')).toBeUndefined()
    expect((await provider.get('OTHER'))?.value).toBe('5432')
    await provider.delete!('NEVER') // not an error
    expect((await readdir(join(path, '..'))).sort()).toEqual([f.file]) // no temp or lock files left
  })

  it('keeps the rest of the file and its mode when writing', async () => {
    const { path, provider } = await setup(f.text, true)
    const { chmod } = await import('node:fs/promises')
    await chmod(path, 0o640)
    await provider.set!('A', 'beta')
    const text = await readFile(path, 'utf8')
    expect(text).toContain(SECRET)
    if (f.type !== 'json-file') expect(text).toContain('# comment')
    expect((await stat(path)).mode & 0o777).toBe(0o640)
    expect((await provider.get('A'))?.value).toBe('beta')
    expect((await provider.get('B'))?.value).toBe(SECRET)
  })

  it('enforces ifVersion and createOnly', async () => {
    const { provider } = await setup(f.text, true)
    const current = (await provider.get('A'))!.version!
    await expect(provider.set!('A', 'x', { createOnly: true })).rejects.toBeInstanceOf(ConflictError)
    await expect(provider.set!('A', 'x', { ifVersion: 'stale' })).rejects.toBeInstanceOf(ConflictError)
    await expect(provider.set!('A', 'x', { ifVersion: current })).resolves.toMatchObject({ key: 'A' })
    await expect(provider.delete!('A', { ifVersion: current })).rejects.toBeInstanceOf(ConflictError)
  })

  it('refuses to write into a malformed file', async () => {
    const { path, provider } = await setup(f.broken, true)
    await expect(provider.set!('A', 'x')).rejects.toBeInstanceOf(ValidationError)
    expect(await readFile(path, 'utf8')).toBe(f.broken)
  })

  it('loses no update when many writes run at once', async () => {
    const { provider } = await setup(f.text, true)
    await Promise.all(Array.from({ length: 20 }, (_, i) => provider.set!(`K${i}`, String(i))))
    const keys = (await collect(provider.list())).map((k) => k.key)
    for (let i = 0; i < 20; i++) expect(keys).toContain(`K${i}`)
  })

  it('validates options eagerly', () => {
    expect(() => f.make({ path: '' })).toThrow(ValidationError)
    expect(() => f.make({ path: 'x', writable: 'yes' as unknown as boolean })).toThrow(ValidationError)
    expect(() => f.make(undefined as unknown as { path: string })).toThrow(ValidationError)
  })
})

describe('nested documents (JSON, YAML)', () => {
  const makeDir = tempDirs()

  it('JSON: reads dot paths, scalars as text, sections as JSON, and writes nested keys keeping indentation', async () => {
    const path = join(await makeDir(), 'app.json')
    await writeFile(
      path,
      '{\n    "database": { "host": "db", "port": 5432, "tls": true, "opts": null },\n    "a.b": "flat",\n    "list": [1, 2]\n}\n',
    )
    const p = jsonFile({ path, writable: true })
    expect((await p.get('database.host'))?.value).toBe('db')
    expect((await p.get('database.port'))?.value).toBe('5432')
    expect((await p.get('database.tls'))?.value).toBe('true')
    expect(await p.get('database.opts')).toBeUndefined()
    expect((await p.get('database'))?.value).toBe('{"host":"db","port":5432,"tls":true,"opts":null}')
    expect((await p.get('a.b'))?.value).toBe('flat')
    expect((await p.get('list'))?.value).toBe('[1,2]')
    expect((await collect(p.list('database'))).map((k) => k.key)).toEqual([
      'database.host',
      'database.port',
      'database.tls',
    ])
    await p.set!('database.user', 'app')
    await p.set!('cache.redis.url', 'redis://x')
    const text = await readFile(path, 'utf8')
    expect(text).toMatch(/^\{\n {4}"database": \{/)
    expect(JSON.parse(text).cache.redis.url).toBe('redis://x')
    await expect(p.set!('database.host.inner', 'x')).rejects.toThrow(/"database.host" holds a value/)
  })

  it('YAML: keeps comments and untouched formatting, quotes strings that look like numbers', async () => {
    const path = join(await makeDir(), 'app.yaml')
    const original = '# top comment\ndatabase:\n  host: db # the host\n  port: 5432\nflags: [a, b]\n'
    await writeFile(path, original)
    const p = yamlFile({ path, writable: true })
    expect((await p.get('database.port'))?.value).toBe('5432')
    expect((await p.get('flags'))?.value).toBe('["a","b"]')
    await p.set!('database.host', 'db2')
    await p.set!('database.user', '0123')
    const text = await readFile(path, 'utf8')
    expect(text).toContain('# top comment')
    expect(text).toContain('host: db2 # the host')
    expect(text).toContain('flags: [ a, b ]')
    expect((await p.get('database.user'))?.value).toBe('0123')
    await p.delete!('database.port')
    expect(await p.get('database.port')).toBeUndefined()
    expect(await readFile(path, 'utf8')).toContain('# top comment')
  })

  it('YAML: a duplicate key or a non-mapping top level is a ValidationError with a line', async () => {
    const dir = await makeDir()
    const dup = join(dir, 'dup.yaml')
    await writeFile(dup, `a: 1\nb: ${SECRET}\nb: 3\n`)
    const error = await yamlFile({ path: dup })
      .get('a')
      .catch((e: Error) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toContain(`${dup}:3:`)
    expect((error as Error).message).not.toContain(SECRET)
    const list = join(dir, 'list.yaml')
    await writeFile(list, '- a\n- b\n')
    await expect(yamlFile({ path: list }).get('a')).rejects.toThrow(/top level must be a YAML mapping/)
  })

  it('JSON: a non-object top level and a control character are ValidationErrors with positions', async () => {
    const dir = await makeDir()
    const arr = join(dir, 'arr.json')
    await writeFile(arr, '[1]')
    await expect(jsonFile({ path: arr }).get('a')).rejects.toThrow(/top level must be a JSON object/)
    const ctl = join(dir, 'ctl.json')
    await writeFile(ctl, `{"a": "${SECRET}\tx"}`)
    const error = await jsonFile({ path: ctl })
      .get('a')
      .catch((e: Error) => e)
    expect((error as Error).message).toMatch(/ctl\.json:1:\d+: control character/)
    expect((error as Error).message).not.toContain(SECRET)
  })

  it('dotenv: binary values that are not UTF-8 are refused', async () => {
    const path = join(await makeDir(), '.env')
    const p = dotenv({ path, writable: true })
    await expect(p.set!('BIN', new Uint8Array([0xff, 0xfe]))).rejects.toBeInstanceOf(ValidationError)
    await p.set!('TXT', new TextEncoder().encode('héllo'))
    expect((await p.get('TXT'))?.value).toBe('héllo')
  })
})
