import { lstat, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConfigManager,
  type ProviderChange,
  Secret,
  UnavailableError,
  ValidationError,
} from '@polysecret/core'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mountedFiles } from '../src/mounted-files.js'
import { kubeletVolume } from './volume-layout.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function volume(files: Record<string, string | Uint8Array>) {
  const v = await kubeletVolume(files)
  cleanups.push(v.cleanup)
  return v
}

/** The next change a subscription pushes. */
function nextChange(changes: ProviderChange[]) {
  return new Promise<ProviderChange>((resolve) => {
    const wait = () => (changes.length > 0 ? resolve(changes.shift()!) : setImmediate(wait))
    wait()
  })
}

describe('mountedFiles: the kubelet volume layout', () => {
  it('the test layout is the kubelet one (..data link, per-key links, timestamped dir)', async () => {
    const v = await volume({ DB_PASSWORD: 'pw' })
    expect(await readlink(join(v.dir, '..data'))).toBe(v.generation())
    expect(await readlink(join(v.dir, 'DB_PASSWORD'))).toBe(join('..data', 'DB_PASSWORD'))
    expect((await lstat(join(v.dir, v.generation(), 'DB_PASSWORD'))).isFile()).toBe(true)
  })

  it('reads keys through ..data; dot-files are skipped; missing keys are undefined', async () => {
    const v = await volume({ DB_PASSWORD: 'pw', 'tls.crt': 'CERT' })
    await writeFile(join(v.dir, v.generation(), '.hidden'), 'x')
    const p = mountedFiles({ dir: v.dir })
    expect(await p.get('DB_PASSWORD')).toMatchObject({ value: 'pw', sensitive: true })
    expect(await p.get('tls.crt')).toMatchObject({ value: 'CERT' })
    expect(await p.get('NOPE')).toBeUndefined()
    const listed: string[] = []
    for await (const k of p.list()) listed.push(k.key)
    expect(listed).toEqual(['DB_PASSWORD', 'tls.crt'])
  })

  it('binary files stay bytes; #field selects from a JSON file; kind parameter is not sensitive', async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe])
    const v = await volume({ 'keystore.p12': bytes, 'db.json': '{"user":"u","port":5432}' })
    const p = mountedFiles({ dir: v.dir, kind: 'parameter' })
    const bin = await p.get('keystore.p12')
    expect(bin?.value).toEqual(bytes)
    expect(bin?.metadata).toEqual({ encoding: 'binary' })
    expect(bin?.sensitive).toBeUndefined()
    expect((await p.get('db.json#port'))?.value).toBe('5432')
    expect(await p.get('db.json#nope')).toBeUndefined()
  })

  it('the version is the content hash: it changes exactly when the bytes change', async () => {
    const v = await volume({ A: '1', B: '2' })
    const p = mountedFiles({ dir: v.dir })
    const a1 = (await p.get('A'))?.version
    const b1 = (await p.get('B'))?.version
    await v.update({ A: '1', B: '3' })
    expect((await p.get('A'))?.version).toBe(a1)
    expect((await p.get('B'))?.version).not.toBe(b1)
    expect((await p.get('B'))?.value).toBe('3')
  })

  it('never reads a half-written update: until ..data is swapped, reads see the old update whole', async () => {
    const v = await volume({ USER: 'old-user', PASS: 'old-pass' })
    const p = mountedFiles({ dir: v.dir })
    expect((await p.getMany(['USER', 'PASS'])).entries.get('USER')?.value).toBe('old-user')
    const staged = await v.stage({ USER: 'new-user' }) // PASS not written yet
    const during = await p.getMany(['USER', 'PASS'])
    expect([during.entries.get('USER')?.value, during.entries.get('PASS')?.value]).toEqual([
      'old-user',
      'old-pass',
    ])
    await writeFile(join(v.dir, staged, 'PASS'), 'new-pass')
    await v.swap(staged)
    const after = await p.getMany(['USER', 'PASS'])
    expect([after.entries.get('USER')?.value, after.entries.get('PASS')?.value]).toEqual([
      'new-user',
      'new-pass',
    ])
  })

  it('subscribe pushes the keys that changed when the kubelet swaps ..data', async () => {
    const v = await volume({ A: '1', B: '2', C: '3' })
    const p = mountedFiles({ dir: v.dir })
    const changes: ProviderChange[] = []
    const errors: unknown[] = []
    const sub = await p.subscribe((c) => changes.push(c), { onError: (e) => errors.push(e) })
    await v.update({ A: '1', B: 'two', D: '4' }) // B changed, C removed, D added
    expect((await nextChange(changes)).keys?.slice().sort()).toEqual(['B', 'C', 'D'])
    sub.close()
    expect(errors).toEqual([])
  })

  it('load(schema, { watch: true }) follows a kubelet update with no polling', async () => {
    const v = await volume({ APP_PORT: '80', DB_PASSWORD: 'pw1' })
    const m = new ConfigManager({
      secrets: [mountedFiles({ dir: v.dir })],
      parameters: [mountedFiles({ dir: v.dir, name: 'config-volume', kind: 'parameter' })],
    })
    const schema = z.object({ APP_PORT: z.coerce.number(), DB_PASSWORD: z.instanceof(Secret) })
    const live = await m.load(schema, { watch: true, interval: 3_600_000 })
    expect(live.current.APP_PORT).toBe(80)
    const changed = new Promise((resolve) => live.onChange(resolve))
    await v.update({ APP_PORT: '8080', DB_PASSWORD: 'pw2' })
    await changed
    expect(live.current.APP_PORT).toBe(8080)
    expect(live.current.DB_PASSWORD.reveal()).toBe('pw2')
    live.close()
    await m.close()
  })

  it('a plain directory (no ..data) is read file by file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polysecret-plain-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, 'TOKEN'), 't1')
    const p = mountedFiles({ dir })
    expect((await p.get('TOKEN'))?.value).toBe('t1')
    await writeFile(join(dir, 'TOKEN'), 't2')
    expect((await p.get('TOKEN'))?.value).toBe('t2')
  })

  it('bad options and bad keys are typed errors; a missing mount is UnavailableError', async () => {
    expect(() => mountedFiles({ dir: '' })).toThrow(ValidationError)
    expect(() => mountedFiles({ dir: '/x', kind: 'nope' as never })).toThrow(/kind must be/)
    const p = mountedFiles({ dir: join(tmpdir(), 'polysecret-does-not-exist') })
    await expect(p.get('A')).rejects.toBeInstanceOf(UnavailableError)
    expect((await p.health()).ok).toBe(false)
    const v = await volume({ A: '1' })
    await expect(mountedFiles({ dir: v.dir }).get('../etc/passwd')).rejects.toBeInstanceOf(ValidationError)
    await expect(mountedFiles({ dir: v.dir }).get('..data')).rejects.toBeInstanceOf(ValidationError)
  })
})
