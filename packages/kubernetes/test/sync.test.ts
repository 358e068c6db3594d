import { X509Certificate } from 'node:crypto'
import { AccessDeniedError, ConflictError, ValidationError } from '@polysecret/core'
import { generateCertificate } from '@polysecret/testing'
import { describe, expect, it } from 'vitest'
import { formatSyncResult, namespaceSync } from '../src/index.js'
import { cluster, holders, source, stored, syncFor, writeCalls } from './sync-support.js'

const OWNER = { 'app.kubernetes.io/managed-by': 'polysecret', 'polysecret.dev/sync': 'registry' }
const REGISTRY = { REG_USER: 'robot$ci', REG_PASSWORD: 'pa:ss/w0rd+x' }

describe('namespaceSync: one pass', () => {
  it('writes typed Secrets into exactly the matching namespaces, one source in several formats', async () => {
    const fake = await cluster({
      'team-a': { 'pull-secrets': 'yes', env: 'prod' },
      'team-b': { 'pull-secrets': 'yes', env: 'dev' },
      'team-c': { 'pull-secrets': 'yes', env: 'test' },
      'team-legacy': { 'pull-secrets': 'yes', env: 'prod' },
      other: { env: 'prod' },
    })
    const manager = source(REGISTRY)
    const { target, audit } = syncFor(fake, {
      name: 'registry',
      namespaceSelector: {
        matchLabels: { 'pull-secrets': 'yes' },
        matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }],
      },
      namespaces: ['team-*', '!team-legacy'],
      secrets: [
        {
          name: 'ghcr',
          format: 'dockerconfigjson',
          registry: { value: 'ghcr.io' },
          username: 'REG_USER',
          password: 'REG_PASSWORD',
        },
        {
          name: 'repo',
          format: 'argocd-repository',
          url: { value: 'https://github.com/org/app.git' },
          username: 'REG_USER',
          password: 'REG_PASSWORD',
        },
        {
          name: 'git',
          format: 'git-credentials',
          url: { value: 'https://github.com/org/app.git' },
          username: 'REG_USER',
          password: 'REG_PASSWORD',
        },
        { name: 'plain', data: { user: 'REG_USER', host: { value: 'ghcr.io' } } },
      ],
    })
    const result = await manager.sync(target)
    expect(result.ok).toBe(true)
    expect(result.namespaces).toEqual(['team-a', 'team-b'])
    for (const name of ['ghcr', 'repo', 'git', 'plain'])
      expect(holders(fake, name)).toEqual(['team-a', 'team-b'])

    const pull = stored(fake, 'team-a', 'ghcr')!
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson')
    const auths = JSON.parse(pull.data['.dockerconfigjson']!).auths
    expect(auths['ghcr.io']).toEqual({
      username: 'robot$ci',
      password: 'pa:ss/w0rd+x',
      auth: Buffer.from('robot$ci:pa:ss/w0rd+x').toString('base64'),
    })
    expect(pull.metadata.labels).toMatchObject(OWNER)
    expect(pull.metadata.annotations).toMatchObject({ 'polysecret.dev/source-keys': 'REG_USER,REG_PASSWORD' })
    expect(pull.metadata.annotations?.['polysecret.dev/checksum']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(JSON.parse(pull.metadata.annotations!['polysecret.dev/source-versions']!)).toHaveProperty(
      'REG_USER',
    )

    const repo = stored(fake, 'team-b', 'repo')!
    expect(repo.type).toBe('Opaque')
    expect(repo.metadata.labels).toMatchObject({ 'argocd.argoproj.io/secret-type': 'repository', ...OWNER })
    expect(repo.data).toEqual({
      type: 'git',
      url: 'https://github.com/org/app.git',
      username: 'robot$ci',
      password: 'pa:ss/w0rd+x',
    })

    const git = stored(fake, 'team-a', 'git')!
    expect(git.type).toBe('kubernetes.io/basic-auth')
    expect(git.data['.git-credentials']).toBe('https://robot%24ci:pa%3Ass%2Fw0rd%2Bx@github.com\n')
    expect(stored(fake, 'team-a', 'plain')!.data).toEqual({ user: 'robot$ci', host: 'ghcr.io' })

    expect(audit).toHaveLength(8)
    expect(audit.every((e) => e.action === 'create' && e.outcome === 'ok' && e.sync === 'registry')).toBe(
      true,
    )
    expect(JSON.stringify(audit)).not.toContain('pa:ss')

    // A second pass finds everything current: two list calls, no write.
    fake.requests.reset()
    const again = await manager.sync(target)
    expect(again.changes).toEqual([])
    expect(again.unchanged).toBe(8)
    expect(writeCalls(fake)).toBe(0)
    expect(again.apiCalls).toBe(2)
  })

  it('updates copies when a source changes and removes them where namespaces stop matching', async () => {
    const fake = await cluster({ a: { sync: 'on' }, b: { sync: 'on' } })
    const manager = source({ DB_PASSWORD: 'one' })
    const { target, audit } = syncFor(fake, {
      name: 'db',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      secrets: [{ name: 'db', data: { password: 'DB_PASSWORD' } }],
    })
    await manager.sync(target)
    const uid = fake.state.get('secrets', 'a', 'db')?.metadata.uid
    await manager.set('DB_PASSWORD', 'two')
    fake.seed({ namespaces: [{ name: 'b', labels: { sync: 'off' } }] })
    const result = await manager.sync(target)
    expect(result.changes.map((c) => [c.action, c.namespace, c.outcome])).toEqual([
      ['update', 'a', 'ok'],
      ['delete', 'b', 'ok'],
    ])
    expect(result.changes[0]!.diff?.data).toEqual({ password: 'changed' })
    expect(stored(fake, 'a', 'db')!.data.password).toBe('two')
    expect(fake.state.get('secrets', 'a', 'db')?.metadata.uid).toBe(uid) // updated in place
    expect(holders(fake, 'db')).toEqual(['a'])
    expect(audit.slice(-2).map((e) => [e.action, e.namespace, e.keys])).toEqual([
      ['update', 'a', ['DB_PASSWORD']],
      ['delete', 'b', ['DB_PASSWORD']],
    ])
  })

  it('never touches an object without its owner labels: a typed ConflictError for that namespace', async () => {
    const fake = await cluster({ a: { sync: 'on' }, b: { sync: 'on' }, c: {} })
    fake.seed({
      secrets: {
        'b/db': { data: { password: 'theirs' }, labels: { team: 'b' } },
        'c/db': { data: { password: 'elsewhere' }, labels: OWNER }, // another sync's name below
        'a/other': { data: { x: 'y' }, labels: { ...OWNER, 'polysecret.dev/sync': 'someone-else' } },
      },
    })
    const before = fake.state.get('secrets', 'b', 'db')
    const manager = source({ DB_PASSWORD: 'ours' })
    const { target } = syncFor(fake, {
      name: 'db',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      secrets: [
        { name: 'db', data: { password: 'DB_PASSWORD' } },
        { name: 'other', data: { x: 'DB_PASSWORD' } },
      ],
    })
    const result = await manager.sync(target)
    expect(result.ok).toBe(false)
    const conflicts = result.errors.filter((e) => e.error instanceof ConflictError)
    expect(conflicts.map((e) => `${e.namespace}/${e.secret}`).sort()).toEqual(['a/other', 'b/db'])
    expect(conflicts[0]!.error.message).toMatch(/not managed by sync "db"/)
    expect(fake.state.get('secrets', 'b', 'db')).toEqual(before)
    expect(stored(fake, 'a', 'other')!.data).toEqual({ x: 'y' })
    expect(stored(fake, 'c', 'db')!.data).toEqual({ password: 'elsewhere' }) // another owner: not deleted
    expect(stored(fake, 'a', 'db')!.data).toEqual({ password: 'ours' })
  })

  it('replaces immutable copies (delete + create) instead of patching them', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    const manager = source({ TOKEN: 'v1' })
    const { target, audit } = syncFor(fake, {
      name: 'tok',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      secrets: [{ name: 'tok', data: { token: 'TOKEN' }, immutable: true }],
    })
    await manager.sync(target)
    const first = fake.state.get('secrets', 'a', 'tok')!
    expect(first.immutable).toBe(true)
    await manager.set('TOKEN', 'v2')
    const result = await manager.sync(target)
    expect(result.changes.map((c) => [c.action, c.outcome])).toEqual([['replace', 'ok']])
    const second = fake.state.get('secrets', 'a', 'tok')!
    expect(second.metadata.uid).not.toBe(first.metadata.uid)
    expect(stored(fake, 'a', 'tok')!.data.token).toBe('v2')
    expect(fake.requests.count('update secrets')).toBe(0)
    expect(audit.at(-1)).toMatchObject({ action: 'replace', outcome: 'ok' })
  })

  it('replaces a copy whose type changed, since the API server refuses to change a type', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    fake.seed({
      secrets: {
        'a/cred': {
          type: 'Opaque',
          data: { username: 'u' },
          labels: { ...OWNER, 'polysecret.dev/sync': 'cred' },
        },
      },
    })
    const manager = source({ USER: 'u', PASS: 'p' })
    const { target } = syncFor(fake, {
      name: 'cred',
      namespaces: ['a'],
      secrets: [{ name: 'cred', format: 'basic-auth', data: { username: 'USER', password: 'PASS' } }],
    })
    const result = await manager.sync(target)
    expect(result.changes.map((c) => [c.action, c.outcome, c.diff?.type])).toEqual([
      ['replace', 'ok', { from: 'Opaque', to: 'kubernetes.io/basic-auth' }],
    ])
    expect(stored(fake, 'a', 'cred')!.type).toBe('kubernetes.io/basic-auth')
  })

  it('checks that a TLS key belongs to its certificate before writing anything for it', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    const good = await generateCertificate()
    const other = await generateCertificate()
    const manager = source({ CRT: good.cert, KEY: good.key, WRONG_KEY: other.key })
    const { target } = syncFor(fake, {
      name: 'tls',
      namespaces: ['a'],
      secrets: [
        { name: 'good', format: 'tls', data: { 'tls.crt': 'CRT', 'tls.key': 'KEY' } },
        { name: 'bad', format: 'tls', data: { 'tls.crt': 'CRT', 'tls.key': 'WRONG_KEY' } },
      ],
    })
    const result = await manager.sync(target)
    const written = stored(fake, 'a', 'good')!
    expect(written.type).toBe('kubernetes.io/tls')
    const cert = new X509Certificate(written.data['tls.crt']!)
    const { createPrivateKey } = await import('node:crypto')
    expect(cert.checkPrivateKey(createPrivateKey(written.data['tls.key']!))).toBe(true)
    expect(fake.state.get('secrets', 'a', 'bad')).toBeUndefined()
    const issue = result.errors.find((e) => e.secret === 'bad')!
    expect(issue.error).toBeInstanceOf(ValidationError)
    expect(issue.error.message).toMatch(/tls.key does not belong to the certificate/)
    expect(issue.error.message).not.toContain('PRIVATE KEY')
  })
})

describe('namespaceSync: distribution policy', () => {
  it('refuses a selector that reaches a system namespace before writing anything', async () => {
    const fake = await cluster({ a: {}, b: {} })
    const manager = source({ DB_PASSWORD: 'x' })
    const { target, audit } = syncFor(fake, {
      name: 'everywhere',
      namespaceSelector: {},
      secrets: [{ name: 'db', data: { password: 'DB_PASSWORD' } }],
    })
    const error = await manager.sync(target).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as Error).message).toMatch(/kube-(system|public|node-lease)/)
    expect(writeCalls(fake)).toBe(0)
    expect(
      audit
        .filter((e) => e.outcome === 'denied')
        .map((e) => e.namespace)
        .sort(),
    ).toEqual(['kube-node-lease', 'kube-public', 'kube-system'])
    expect(target.stats()).toMatchObject({ passes: 1, failedPasses: 1, denied: 1 })
  })

  it('refuses a literal system namespace at once, and keys outside policy.allow', async () => {
    const fake = await cluster({ apps: {}, payments: {} })
    expect(() =>
      namespaceSync({
        name: 's',
        kubeconfig: fake.kubeconfig,
        namespaces: ['kube-system'],
        secrets: [{ name: 'x', data: { a: 'A' } }],
      }),
    ).toThrow(AccessDeniedError)
    const spec = {
      name: 'pay',
      policy: { allow: [{ keys: ['PAYMENTS_*'], namespaces: ['payments'] }] },
      secrets: [{ name: 'pay', data: { k: 'PAYMENTS_KEY' } }],
    }
    // Literal namespace names are checked when the sync is made, before any connection.
    expect(() => namespaceSync({ ...spec, kubeconfig: fake.kubeconfig, namespaces: ['apps'] })).toThrow(
      /no policy.allow rule lets key "PAYMENTS_KEY" reach namespace "apps"/,
    )
    // Globs are checked against the namespaces they select, before anything is written.
    const manager = source({ PAYMENTS_KEY: 'k', SHARED: 's' })
    const { target } = syncFor(fake, {
      name: 'pay',
      namespaces: ['app*', 'pay*'],
      policy: {
        allow: [
          { keys: ['PAYMENTS_*'], namespaces: ['payments'] },
          { keys: ['SHARED'], namespaces: ['*'] },
        ],
      },
      secrets: [
        { name: 'shared', data: { s: 'SHARED' } },
        { name: 'pay', data: { k: 'PAYMENTS_KEY' } },
      ],
    })
    await expect(manager.sync(target)).rejects.toThrow(
      /no policy.allow rule lets key "PAYMENTS_KEY" reach namespace "apps"/,
    )
    expect(writeCalls(fake)).toBe(0)
  })
})

describe('namespaceSync: dry run', () => {
  it('plans with a masked diff and writes nothing', async () => {
    const fake = await cluster({ a: { sync: 'on' }, b: { sync: 'on' } })
    const manager = source({ DB_PASSWORD: 'hunter2-secret' })
    const { target, audit } = syncFor(fake, {
      name: 'db',
      namespaceSelector: { matchLabels: { sync: 'on' } },
      secrets: [{ name: 'db', data: { password: 'DB_PASSWORD' } }],
    })
    await manager.sync(target)
    await manager.set('DB_PASSWORD', 'new-secret-value')
    fake.seed({
      namespaces: [
        { name: 'b', labels: {} },
        { name: 'c', labels: { sync: 'on' } },
      ],
    })
    fake.requests.reset()
    const audited = audit.length
    const plan = await manager.sync(target, { dryRun: true })
    expect(writeCalls(fake)).toBe(0)
    expect(plan.dryRun).toBe(true)
    expect(plan.changes.map((c) => [c.action, c.namespace, c.outcome, c.diff?.data])).toEqual([
      ['update', 'a', 'planned', { password: 'changed' }],
      ['create', 'c', 'planned', { password: 'added' }],
      ['delete', 'b', 'planned', { password: 'removed' }],
    ])
    const text = formatSyncResult(plan)
    expect(text).toContain('~ update a/db')
    expect(text).toContain('+ create c/db')
    expect(text).toContain('- delete b/db')
    for (const value of ['hunter2', 'new-secret-value', 'sha256:'])
      expect(text + JSON.stringify(plan)).not.toContain(value)
    expect(audit.length).toBe(audited) // nothing written, nothing audited
  })
})

describe('namespaceSync: cancellation', () => {
  it('an aborted signal stops the pass before it writes', async () => {
    const fake = await cluster({ a: { sync: 'on' } })
    const manager = source({ K: 'v' })
    const { target } = syncFor(fake, {
      name: 'k',
      namespaces: ['a'],
      secrets: [{ name: 'k', data: { k: 'K' } }],
    })
    const controller = new AbortController()
    controller.abort()
    await expect(manager.sync(target, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
    expect(writeCalls(fake)).toBe(0)
    expect(holders(fake, 'k')).toEqual([])
  })
})

describe('namespaceSync: spec validation', () => {
  it('reports every problem of a spec at once, without values', () => {
    const error = (() => {
      try {
        namespaceSync({
          name: 'Bad Name!',
          kubeconfig: 'apiVersion: v1\nkind: Config\n',
          namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' as const, values: [] }] },
          secrets: [
            { name: 'UPPER', data: { 'bad/key': 'X' } },
            { name: 'reg', format: 'dockerconfigjson', username: 'U' } as never,
            { name: 'tls', format: 'tls', data: { 'tls.crt': 'C' } } as never,
          ],
        })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error).toBeInstanceOf(ValidationError)
    for (const part of [
      'name must be a label value',
      'matchExpressions[0].values must be non-empty when operator is In',
      'secrets[0].name must be a Secret name',
      'secrets[0].data: "bad/key" is not a Secret data key',
      'secrets[1].registry is required for dockerconfigjson',
      'secrets[1].password is required for dockerconfigjson',
      'secrets[2].data["tls.key"] is required for tls',
    ])
      expect(error!.message).toContain(part)
  })
})
