import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AccessEvent,
  ConfigManager,
  env,
  memory,
  PolysecretError,
  Secret,
  UnavailableError,
  UnsupportedError,
  ValidationError,
} from '@polysecret/core'
import { instrument } from '@polysecret/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

afterEach(() => vi.useRealTimers())

const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms)

describe('contract: watch', () => {
  it('listener gets (key, previousVersion, newVersion) after a write; cache invalidated', async () => {
    vi.useFakeTimers()
    const store = memory({ DB_PASSWORD: 'a', FLAG_MODE: 'x' })
    const m = new ConfigManager({ secrets: [store], parameters: [store], allowWrites: true })
    const calls: unknown[][] = []
    const w = await m.watch(['DB_PASSWORD', 'FLAG_MODE'], (...args) => calls.push(args), { interval: 1000 })
    await m.get('DB_PASSWORD')
    await store.set!('DB_PASSWORD', 'b') // behind the manager's back
    await tick(1200)
    expect(calls).toEqual([['DB_PASSWORD', '1', '3']])
    expect(((await m.get('DB_PASSWORD')) as Secret).reveal()).toBe('b')
    w.close()
  })
  it('deleted key reports newVersion undefined', async () => {
    vi.useFakeTimers()
    const store = memory({ DB_PASSWORD: 'a' })
    const m = new ConfigManager({ secrets: [store] })
    const calls: unknown[][] = []
    const w = await m.watch(['DB_PASSWORD'], (...a) => calls.push(a), { interval: 1000 })
    await store.delete!('DB_PASSWORD')
    await tick(1200)
    expect(calls).toEqual([['DB_PASSWORD', '1', undefined]])
    await tick(5000)
    expect(calls).toHaveLength(1)
    w.close()
  })
  it('no change → no listener call; close stops polling', async () => {
    vi.useFakeTimers()
    const st = instrument(memory({ DB_PASSWORD: 'a' }))
    const m = new ConfigManager({ secrets: [st.provider] })
    const fn = vi.fn()
    const w = await m.watch('DB_PASSWORD', fn, { interval: 1000 })
    await tick(5500)
    expect(fn).not.toHaveBeenCalled()
    w.close()
    const before = st.calls.get
    await tick(10_000)
    expect(st.calls.get).toBe(before)
  })
  it('prefix watch reports new keys', async () => {
    vi.useFakeTimers()
    const store = memory({ APP_A_HOST: '1' })
    const m = new ConfigManager({ parameters: [store] })
    const calls: unknown[][] = []
    const w = await m.watch('APP_', (...a) => calls.push(a), { interval: 1000 })
    await store.set!('APP_B_HOST', '2')
    await tick(1200)
    expect(calls).toEqual([['APP_B_HOST', undefined, '2']])
    w.close()
  })
  it('watch on env → UnsupportedError naming watch', async () => {
    const m = new ConfigManager({ parameters: [env({ env: { A_HOST: 'x' } })] })
    const e = await m.watch(['A_HOST'], () => {}).catch((x) => x)
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.capability).toBe('watch')
  })
  it('bad watch arguments → ValidationError', async () => {
    const m = new ConfigManager({ parameters: [memory({ A_HOST: 'x' })] })
    await expect(m.watch(['A_HOST'], () => {}, { interval: 0 })).rejects.toBeInstanceOf(ValidationError)
    await expect(m.watch([''], () => {})).rejects.toBeInstanceOf(ValidationError)
  })
  it('watch with a non-function listener → ValidationError', async () => {
    const m = new ConfigManager({ parameters: [memory({ A_HOST: 'x' })] })
    await expect(m.watch(['A_HOST'], 'nope' as never)).rejects.toBeInstanceOf(ValidationError)
  })
  it('watch with a non-string, non-array target → ValidationError (not a TypeError)', async () => {
    const m = new ConfigManager({ parameters: [memory({ A_HOST: 'x' })] })
    await expect(m.watch(42 as never, () => {})).rejects.toBeInstanceOf(ValidationError)
  })
  it('a throwing listener does not kill the watcher', async () => {
    vi.useFakeTimers()
    const store = memory({ A_HOST: '1' })
    const m = new ConfigManager({ parameters: [store] })
    let n = 0
    const w = await m.watch(
      ['A_HOST'],
      () => {
        n++
        throw new Error('listener boom')
      },
      { interval: 1000 },
    )
    await store.set!('A_HOST', '2')
    await tick(1200)
    await store.set!('A_HOST', '3')
    await tick(1200)
    expect(n).toBe(2)
    w.close()
  })
  it('a poll failure is reported to onError while the stale value is served; no spurious change', async () => {
    vi.useFakeTimers()
    const st = instrument(memory({ A_HOST: '1' }))
    // default cache: staleIfError keeps the last good value for 5 minutes
    const m = new ConfigManager({ parameters: [st.provider], retry: false })
    const fn = vi.fn()
    const onError = vi.fn()
    const w = await m.watch(['A_HOST'], fn, { interval: 1000, onError })
    st.setFault(() => new UnavailableError({ provider: 'memory', key: 'A_HOST' }))
    await tick(1200)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(UnavailableError)
    expect(onError.mock.calls[0]![0].key).toBe('A_HOST')
    expect((await m.getWithMetadata('A_HOST', { fresh: true })).staleReason).toBe('error') // reads are served stale
    st.setFault(undefined)
    await tick(1200)
    expect(onError).toHaveBeenCalledTimes(1) // healed: no more reports
    expect(fn).not.toHaveBeenCalled()
    w.close()
  })
  it('a poll failure with nothing stale to serve (staleIfError 0) is reported to onError too', async () => {
    vi.useFakeTimers()
    const st = instrument(memory({ A_HOST: '1' }))
    const m = new ConfigManager({ parameters: [st.provider], retry: false, cache: { staleIfError: 0 } })
    const fn = vi.fn()
    const onError = vi.fn()
    const w = await m.watch(['A_HOST'], fn, { interval: 1000, onError })
    st.setFault(() => new UnavailableError({ provider: 'memory', key: 'A_HOST' }))
    await tick(1200)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(UnavailableError)
    st.setFault(undefined)
    await tick(1200)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(fn).not.toHaveBeenCalled()
    w.close()
  })
  it('a prefix watch reports a failed list to onError and keeps the keys it knew', async () => {
    vi.useFakeTimers()
    const st = instrument(memory({ APP_A_HOST: '1' }))
    const m = new ConfigManager({ parameters: [st.provider], retry: false })
    const onError = vi.fn()
    const w = await m.watch('APP_', () => {}, { interval: 1000, onError })
    st.setFault(({ operation }) =>
      operation === 'list' ? new UnavailableError({ provider: 'memory' }) : undefined,
    )
    await tick(1200)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(UnavailableError)
    expect(w.keys).toEqual(['APP_A_HOST'])
    w.close()
  })
  it('watch → the change is reported even though the value is in stale-if-error window while store is flapping', async () => {
    vi.useFakeTimers()
    const store = memory({ A_HOST: '1' })
    const st = instrument(store)
    const m = new ConfigManager({ parameters: [st.provider], retry: false })
    const fn = vi.fn()
    const w = await m.watch(['A_HOST'], fn, { interval: 1000 })
    await store.set!('A_HOST', '2')
    await tick(1200)
    expect(fn).toHaveBeenCalledWith('A_HOST', '1', '2')
    w.close()
  })
  it('manager.close() stops watchers', async () => {
    vi.useFakeTimers()
    const store = memory({ A_HOST: '1' })
    const m = new ConfigManager({ parameters: [store] })
    const fn = vi.fn()
    await m.watch(['A_HOST'], fn, { interval: 1000 })
    await m.close()
    await store.set!('A_HOST', '2')
    await tick(5000)
    expect(fn).not.toHaveBeenCalled()
  })
  it('watch events: one watch/changed event per change, no values', async () => {
    vi.useFakeTimers()
    const events: AccessEvent[] = []
    const store = memory({ DB_PASSWORD: 'sekrit-AAA' })
    const m = new ConfigManager({ secrets: [store], onAccess: (e) => events.push(e) })
    const w = await m.watch(['DB_PASSWORD'], () => {}, { interval: 1000 })
    await store.set!('DB_PASSWORD', 'sekrit-BBB')
    await tick(1200)
    expect(events.filter((e) => e.operation === 'watch' && e.outcome === 'changed')).toHaveLength(1)
    expect(JSON.stringify(events)).not.toMatch(/sekrit/)
    w.close()
  })
  it('race: manager.set during watch — listener fires once with the versions', async () => {
    vi.useFakeTimers()
    const m = new ConfigManager({ secrets: [memory({ DB_PASSWORD: 'a' })], allowWrites: true })
    const calls: unknown[][] = []
    const w = await m.watch(['DB_PASSWORD'], (...a) => calls.push(a), { interval: 1000 })
    const [r] = await Promise.all([m.set('DB_PASSWORD', 'b'), tick(1200)])
    await tick(1200)
    expect(calls).toEqual([['DB_PASSWORD', '1', r.version]])
    w.close()
  })
  it('rotate result ids match what the watcher reports', async () => {
    vi.useFakeTimers()
    const m = new ConfigManager({ secrets: [memory({ API_KEY: 'a' })], allowWrites: true })
    const calls: unknown[][] = []
    const w = await m.watch(['API_KEY'], (...a) => calls.push(a), { interval: 1000 })
    const r = await m.rotate('API_KEY', { value: 'b' })
    await tick(1200)
    expect(calls).toEqual([['API_KEY', r.previousVersion, r.newVersion]])
    w.close()
  })
})

describe('contract: live config', () => {
  const Schema = z.object({ PORT: z.number(), DB_PASSWORD: z.instanceof(Secret) })

  it('re-validates and swaps atomically; onChange gets next, previous, changed keys', async () => {
    vi.useFakeTimers()
    const p = memory({ PORT: '80' }, { name: 'p' })
    const s = memory({ DB_PASSWORD: 'a' }, { name: 's' })
    const m = new ConfigManager({ secrets: [s], parameters: [p] })
    const live = await m.load(Schema, { watch: true, interval: 1000 })
    const first = live.current
    expect(first.PORT).toBe(80)
    expect(live.PORT).toBe(80)
    const changes: unknown[][] = []
    live.onChange((next, prev, keys) => changes.push([next, prev, keys]))
    await p.set!('PORT', '81')
    await tick(1200)
    expect(live.current.PORT).toBe(81)
    expect(live.PORT).toBe(81)
    expect(first.PORT).toBe(80) // old object never mutated
    expect(changes).toHaveLength(1)
    expect(changes[0]![1]).toBe(first)
    expect(changes[0]![2]).toEqual(['PORT'])
    live.close()
  })
  it('invalid new value keeps the last good config and reports onError (no value in the error)', async () => {
    vi.useFakeTimers()
    const p = memory({ PORT: '80' }, { name: 'p' })
    const s = memory({ DB_PASSWORD: 'a' }, { name: 's' })
    const m = new ConfigManager({ secrets: [s], parameters: [p] })
    const live = await m.load(Schema, { watch: true, interval: 1000 })
    const errors: PolysecretError[] = []
    const onChange = vi.fn()
    live.onError((e) => errors.push(e))
    live.onChange(onChange)
    await p.set!('PORT', 'not-a-port-XYZ')
    await tick(1200)
    expect(live.current.PORT).toBe(80)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(PolysecretError)
    expect(errors[0]!.message).not.toContain('not-a-port-XYZ')
    expect(onChange).not.toHaveBeenCalled()
    // and recovers when fixed
    await p.set!('PORT', '82')
    await tick(1200)
    expect(live.current.PORT).toBe(82)
    live.close()
  })
  it('two keys changing in one poll → consistent config (both applied), not a half-updated one', async () => {
    vi.useFakeTimers()
    const p = memory({ PORT: '80', OTHER_PORT: '90' }, { name: 'p' })
    const m = new ConfigManager({ parameters: [p] })
    const S2 = z
      .object({ PORT: z.number(), OTHER_PORT: z.number() })
      .refine((o) => o.OTHER_PORT === o.PORT + 10, 'mismatch')
    const live = await m.load(S2, { watch: true, interval: 1000 })
    const seen: unknown[] = []
    live.onChange((next) => seen.push(next))
    await p.set!('PORT', '81')
    await p.set!('OTHER_PORT', '91')
    await tick(1200)
    expect(live.current).toEqual({ PORT: 81, OTHER_PORT: 91 })
    for (const c of seen) expect(c).toEqual({ PORT: 81, OTHER_PORT: 91 })
    live.close()
  })
  it('env-served keys are ignored by live watch, not an error', async () => {
    vi.useFakeTimers()
    const p = memory({ PORT: '80' }, { name: 'p' })
    const m = new ConfigManager({ secrets: [env({ env: { DB_PASSWORD: 'x' } })], parameters: [p] })
    const live = await m.load(Schema, { watch: true, interval: 1000 })
    await p.set!('PORT', '81')
    await tick(1200)
    expect(live.current.PORT).toBe(81)
    live.close()
  })
  it('live config is read-only', async () => {
    const m = new ConfigManager({
      secrets: [memory({ DB_PASSWORD: 'a' })],
      parameters: [memory({ PORT: '1' })],
    })
    const live = await m.load(Schema, { watch: true, interval: 1000 })
    expect(() => {
      ;(live as unknown as { PORT: number }).PORT = 2
    }).toThrow()
    live.close()
  })
  it('an optional key that appears later triggers a reload', async () => {
    vi.useFakeTimers()
    const p = memory({ PORT: '80' }, { name: 'p' })
    const m = new ConfigManager({ parameters: [p] })
    const live = await m.load(z.object({ PORT: z.number(), EXTRA_HOST: z.string().optional() }), {
      watch: true,
      interval: 1000,
    })
    expect(live.current.EXTRA_HOST).toBeUndefined()
    await p.set!('EXTRA_HOST', 'h')
    await tick(1200)
    expect(live.current.EXTRA_HOST).toBe('h')
    live.close()
  })
  it('initial invalid config rejects load({watch:true}) with ConfigValidationError and leaves no watcher', async () => {
    const m = new ConfigManager({ parameters: [memory({ PORT: 'x' })] })
    await expect(
      m.load(z.object({ PORT: z.number() }), { watch: true, interval: 1000 }),
    ).rejects.toBeInstanceOf(PolysecretError)
  })
  it('dotenv file edited on disk → live config follows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-live-'))
    const path = join(dir, '.env')
    writeFileSync(path, 'PORT=80\n')
    const { dotenv } = await import('@polysecret/core')
    const m = new ConfigManager({ parameters: [dotenv({ path })] })
    const live = await m.load(z.object({ PORT: z.number() }), { watch: true, interval: 50 })
    const changed = new Promise((resolve) => live.onChange((next) => resolve(next)))
    writeFileSync(path, 'PORT=8080\n')
    // waits for the change itself, never for an amount of time
    expect(await changed).toEqual({ PORT: 8080 })
    expect(live.current.PORT).toBe(8080)
    live.close()
  })
})
