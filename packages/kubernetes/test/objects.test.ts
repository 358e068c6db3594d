import {
  AccessDeniedError,
  ConfigManager,
  ConflictError,
  type ProviderChange,
  ReadOnlyError,
  Secret,
  ValidationError,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { configMapsFor, NAMESPACE, secretsFor, startKubernetes } from './support.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
async function fakeWith(seed: Parameters<typeof startKubernetes>[0]) {
  const fake = await startKubernetes(seed)
  cleanups.push(() => fake.stop())
  return fake
}

/** Resolves with the next change a subscription pushes. */
function changes() {
  const seen: ProviderChange[] = []
  const waiters: ((c: ProviderChange) => void)[] = []
  return {
    onChange: (c: ProviderChange) => {
      const w = waiters.shift()
      if (w) w(c)
      else seen.push(c)
    },
    next: () =>
      seen.length > 0
        ? Promise.resolve(seen.shift()!)
        : new Promise<ProviderChange>((resolve) => waiters.push(resolve)),
  }
}

describe('kubernetesSecrets / configMaps against the API fake', () => {
  it('getMany reads each object once, however many of its keys are asked', async () => {
    const fake = await fakeWith({ secrets: { db: { user: 'u', password: 'p' }, api: { token: 't' } } })
    const p = secretsFor(fake)
    fake.requests.reset()
    const out = await p.getMany(['db/user', 'db/password', 'api/token', 'db/missing', 'gone/x'])
    expect(fake.requests.count('get secrets')).toBe(3)
    expect([...out.entries.keys()].sort()).toEqual(['api/token', 'db/password', 'db/user'])
    expect(out.errors.size).toBe(0)
  })

  it('Secret values are sensitive, ConfigMap values are not; the manager serves them accordingly', async () => {
    const fake = await fakeWith({
      secrets: { app: { DB_PASSWORD: 'pw', APP_MODE: 'm' } },
      configMaps: { app: { LOG_LEVEL: 'debug' } },
    })
    expect(await secretsFor(fake, { name: 'app' }).get('DB_PASSWORD')).toMatchObject({
      value: 'pw',
      sensitive: true,
    })
    const cm = await configMapsFor(fake, { name: 'app' }).get('LOG_LEVEL')
    expect(cm).toMatchObject({ value: 'debug' })
    expect(cm?.sensitive).toBeUndefined()
    // A Secret in the parameters chain is still served as a Secret.
    const m = new ConfigManager({ parameters: [secretsFor(fake, { name: 'app' })] })
    expect(await m.get('APP_MODE')).toBeInstanceOf(Secret)
  })

  it('binary values: Secret data and ConfigMap binaryData round-trip as bytes', async () => {
    const fake = await fakeWith({})
    const bytes = new Uint8Array([0, 255, 1, 254])
    for (const p of [secretsFor(fake, { name: 'bin' }), configMapsFor(fake, { name: 'bin' })]) {
      await p.set('keystore', bytes)
      const entry = await p.get('keystore')
      expect(entry?.value).toEqual(bytes)
      expect(entry?.metadata?.encoding).toBe('binary')
    }
    const stored = fake.state.get('configmaps', NAMESPACE, 'bin') as { binaryData?: Record<string, string> }
    expect(stored.binaryData?.keystore).toBe(Buffer.from(bytes).toString('base64'))
  })

  it('a write keeps the other keys of the object, and a concurrent change of the object is not lost', async () => {
    const fake = await fakeWith({ secrets: { db: { user: 'u' } } })
    const a = secretsFor(fake)
    const b = secretsFor(fake)
    await Promise.all([a.set('db/password', 'p'), b.set('db/host', 'h')])
    const all = await a.getMany(['db/user', 'db/password', 'db/host'])
    expect(Object.fromEntries([...all.entries].map(([k, e]) => [k, e.value]))).toEqual({
      'db/user': 'u',
      'db/password': 'p',
      'db/host': 'h',
    })
  })

  it('ifVersion is the resourceVersion: a stale one is a ConflictError naming the current version', async () => {
    const fake = await fakeWith({ configMaps: { cfg: { A: '1' } } })
    const p = configMapsFor(fake, { name: 'cfg' })
    const v1 = (await p.get('A'))!.version!
    await p.set('A', '2')
    const error = await p.set('A', '3', { ifVersion: v1 }).catch((e) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect(error.currentVersion).toBe((await p.get('A'))!.version)
    expect(error.message).not.toContain('2')
  })

  it('delete removes the key and keeps the object; deleting a missing key is a no-op', async () => {
    const fake = await fakeWith({ secrets: { db: { user: 'u', password: 'p' } } })
    const p = secretsFor(fake)
    await p.delete('db/password')
    await p.delete('db/password')
    await p.delete('nothing/here')
    expect(await p.get('db/password')).toBeUndefined()
    await p.delete('db/user')
    expect(fake.state.get('secrets', NAMESPACE, 'db')).toBeDefined()
  })

  it('immutable objects: writes and deletes are ReadOnlyError before any write request', async () => {
    const fake = await fakeWith({})
    fake.seed({ secrets: { [`${NAMESPACE}/frozen`]: { data: { K: 'v' }, immutable: true } } })
    const p = secretsFor(fake, { name: 'frozen' })
    fake.requests.reset()
    await expect(p.set('K', 'w')).rejects.toBeInstanceOf(ReadOnlyError)
    await expect(p.delete('K')).rejects.toBeInstanceOf(ReadOnlyError)
    expect(fake.requests.count('update secrets')).toBe(0)
    expect((await p.get('K'))?.value).toBe('v')
  })

  it('a value that would pass 1 MiB per object is a ValidationError before any write request', async () => {
    const fake = await fakeWith({ secrets: { big: { A: 'x'.repeat(600_000) } } })
    const p = secretsFor(fake, { name: 'big' })
    fake.requests.reset()
    const error = await p.set('B', 'y'.repeat(600_000)).catch((e) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/1 MiB/)
    expect(fake.requests.count('update secrets')).toBe(0)
  })

  it('labels scope list and watch, and objects the provider creates carry them', async () => {
    const fake = await fakeWith({})
    fake.seed({
      configMaps: {
        [`${NAMESPACE}/mine`]: { data: { A: '1' }, labels: { team: 'pay' } },
        [`${NAMESPACE}/theirs`]: { data: { B: '2' }, labels: { team: 'ops' } },
      },
    })
    const p = configMapsFor(fake, { labels: { team: 'pay' } })
    await p.set('created/C', '3')
    const keys: string[] = []
    for await (const k of p.list()) keys.push(k.key)
    expect(keys.sort()).toEqual(['created/C', 'mine/A'])
  })

  it('a token without access to the namespace is AccessDeniedError; a revoked one too', async () => {
    const fake = await fakeWith({ secrets: { db: { password: 'p' } } })
    const other = fake.createToken({ namespaces: ['elsewhere'] })
    const denied = secretsFor(fake, { kubeconfig: fake.kubeconfigFor(other) })
    await expect(denied.get('db/password')).rejects.toBeInstanceOf(AccessDeniedError)
    const readOnly = fake.createToken({ namespaces: [NAMESPACE], verbs: ['get'] })
    const reader = secretsFor(fake, { kubeconfig: fake.kubeconfigFor(readOnly) })
    expect((await reader.get('db/password'))?.value).toBe('p')
    await expect(reader.set('db/password', 'q')).rejects.toBeInstanceOf(AccessDeniedError)
    fake.revokeToken(readOnly)
    const error = await reader.get('db/password').catch((e) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect(error.hint).toMatch(/credentials/)
  })

  it('bad keys and options are ValidationErrors before any request', async () => {
    expect(() => secretsFor({ kubeconfig: 'x' } as never, { namespace: 'Bad_NS' })).toThrow(
      /namespace must be/,
    )
    expect(() => secretsFor({ kubeconfig: 'x' } as never, { name: 'Not A Name' })).toThrow(/name must be/)
    const fake = await fakeWith({})
    const p = secretsFor(fake)
    fake.requests.reset()
    await expect(p.get('no-slash')).rejects.toBeInstanceOf(ValidationError)
    await expect(p.get('UPPER/key')).rejects.toBeInstanceOf(ValidationError)
    await expect(p.set('db/password#field', 'x')).rejects.toBeInstanceOf(ValidationError)
    expect(fake.requests.total).toBe(0)
  })
})

describe('push: the watch API', () => {
  it('pushes exactly the keys whose values changed, and nothing for a label-only change', async () => {
    const fake = await fakeWith({ secrets: { db: { user: 'u', password: 'p' } } })
    const p = secretsFor(fake)
    const c = changes()
    const sub = await p.subscribe(c.onChange, { onError: () => undefined })
    cleanups.push(async () => sub.close())
    fake.seed({
      secrets: { [`${NAMESPACE}/db`]: { data: { user: 'u', password: 'p' }, labels: { touched: 'yes' } } },
    })
    await secretsFor(fake).set('db/password', 'p2')
    expect(await c.next()).toEqual({ keys: ['db/password'] })
  })

  it('reconnects when the server ends the stream, resuming without missing a change', async () => {
    const fake = await fakeWith({ configMaps: { cfg: { A: '1' } } })
    const p = configMapsFor(fake, { name: 'cfg' })
    const c = changes()
    const sub = await p.subscribe(c.onChange, { onError: () => undefined })
    cleanups.push(async () => sub.close())
    const watchesBefore = fake.requests.count('watch configmaps')
    fake.closeWatches()
    await configMapsFor(fake, { name: 'cfg' }).set('A', '2')
    expect(await c.next()).toEqual({ keys: ['A'] })
    expect(fake.requests.count('watch configmaps')).toBeGreaterThan(watchesBefore)
  })

  it('relists after 410 Expired and pushes the difference', async () => {
    const fake = await startFake('kubernetes', {
      namespaces: [NAMESPACE],
      watchHistory: 2,
      configMaps: { [`${NAMESPACE}/cfg`]: { data: { A: '1', B: '1' } } },
    })
    cleanups.push(() => fake.stop())
    const p = configMapsFor(fake)
    const c = changes()
    const errors: unknown[] = []
    const sub = await p.subscribe(c.onChange, { onError: (e) => errors.push(e) })
    cleanups.push(async () => sub.close())
    // Make the stream resume from a version older than the history: stop it, then write past it.
    await fake.faults.down()
    fake.closeWatches()
    const writer = configMapsFor(fake)
    fake.seed({ configMaps: { [`${NAMESPACE}/cfg`]: { data: { A: '2', B: '1' } } } })
    fake.seed({ configMaps: { [`${NAMESPACE}/other`]: { data: { X: '1' } } } })
    fake.seed({ configMaps: { [`${NAMESPACE}/other`]: { data: { X: '2' } } } })
    fake.seed({ configMaps: { [`${NAMESPACE}/other`]: { data: { X: '3' } } } })
    await fake.faults.up()
    const got = await c.next()
    expect(got.keys?.slice().sort()).toEqual(['cfg/A', 'other/X'])
    expect(fake.requests.count('list configmaps')).toBeGreaterThanOrEqual(2)
    void writer
  })

  it('manager.watch() on a Kubernetes provider reacts to the stream with no polling reads', async () => {
    const fake = await fakeWith({ secrets: { app: { DB_PASSWORD: 'a' } } })
    const m = new ConfigManager({ secrets: [secretsFor(fake, { name: 'app' })] })
    cleanups.push(() => m.close())
    let hear!: (args: unknown[]) => void
    const heard = new Promise<unknown[]>((resolve) => (hear = resolve))
    await m.watch(['DB_PASSWORD'], (...args) => hear(args), { interval: 3_600_000 })
    const before = fake.requests.count('get secrets')
    await secretsFor(fake, { name: 'app' }).set('DB_PASSWORD', 'b')
    const [key, previous, next] = await heard
    expect(key).toBe('DB_PASSWORD')
    expect(previous).not.toBe(next)
    expect(fake.requests.count('get secrets') - before).toBe(2) // the write's read, then the watcher's one re-read
  })
})
