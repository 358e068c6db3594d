import type { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { crc32c, type GcpSecretManagerFake, startFake } from '../src/index.js'
import { smClient, statusOf, TRANSPORTS } from './gcp-helpers.js'
import { rejection } from './helpers.js'

/**
 * Secret Manager behaviour checked against the v1 protos and the API reference, through the official
 * client over a real socket, on gRPC and on REST.
 */
describe.each(TRANSPORTS)('Secret Manager fake over %s', (transport) => {
  let fake: GcpSecretManagerFake
  let client: SecretManagerServiceClient
  let project: string
  const secret = (id: string) => `${project}/secrets/${id}`

  beforeEach(async () => {
    fake = await startFake('gcp-secret-manager', { projectId: 'p1', projectNumber: '42' })
    client = smClient(fake, transport)
    project = `projects/${fake.projectId}`
  })
  afterEach(async () => {
    await client.close()
    await fake.stop()
  })

  const create = (id: string, labels: Record<string, string> = {}) =>
    client.createSecret({ parent: project, secretId: id, secret: { replication: { automatic: {} }, labels } })
  const add = (id: string, value: string) =>
    client.addSecretVersion({ parent: secret(id), payload: { data: Buffer.from(value) } })

  it('managed rotation: enabled once with the Cloud SQL user, then RotateSecret adds a version each time', async () => {
    await create('sql')
    const before = await rejection(client.rotateSecret({ parent: secret('sql') }))
    expect(statusOf(before)).toBe('FAILED_PRECONDITION')
    const credentials = { instanceId: 'db-1', username: 'app', password: 'initial-pw' }
    const [first] = await client.enableManagedRotation({
      parent: secret('sql'),
      cloudSqlSingleUserCredentials: credentials,
    })
    expect(first.name).toBe('projects/42/secrets/sql/versions/1')
    const [initial] = await client.accessSecretVersion({ name: first.name! })
    expect(String(initial.payload?.data)).toBe('initial-pw')
    const again = await rejection(
      client.enableManagedRotation({ parent: secret('sql'), cloudSqlSingleUserCredentials: credentials }),
    )
    expect(statusOf(again)).toBe('FAILED_PRECONDITION')
    const [rotated] = await client.rotateSecret({ parent: secret('sql') })
    expect(rotated.name).toBe('projects/42/secrets/sql/versions/2')
    const [next] = await client.accessSecretVersion({ name: rotated.name! })
    expect(String(next.payload?.data)).not.toBe('initial-pw')
    expect(String(next.payload?.data).length).toBeGreaterThanOrEqual(24)
  })

  it('creates a secret, adds numbered versions, and `latest` is the newest; names use the project number', async () => {
    const [created] = await create('db')
    expect(created.name).toBe('projects/42/secrets/db')
    expect(created.etag).toMatch(/^".+"$/)
    const [v1] = await add('db', 'one')
    const [v2] = await add('db', 'two')
    expect([v1.name, v2.name]).toEqual([
      'projects/42/secrets/db/versions/1',
      'projects/42/secrets/db/versions/2',
    ])
    expect(v2.state).toBe('ENABLED')
    const [latest] = await client.accessSecretVersion({ name: `${secret('db')}/versions/latest` })
    expect(latest.name).toBe('projects/42/secrets/db/versions/2')
    expect(latest.payload?.data?.toString()).toBe('two')
    const [first] = await client.accessSecretVersion({ name: `${secret('db')}/versions/1` })
    expect(first.payload?.data?.toString()).toBe('one')
    expect(fake.requests.count('AccessSecretVersion')).toBe(2)
  })

  it('returns data_crc32c on access and verifies it on AddSecretVersion', async () => {
    await create('c')
    const data = Buffer.from('checksummed')
    const [ok] = await client.addSecretVersion({
      parent: secret('c'),
      payload: { data, dataCrc32c: crc32c(data) },
    })
    expect(ok.clientSpecifiedPayloadChecksum).toBe(true)
    const [read] = await client.accessSecretVersion({ name: ok.name })
    expect(Number(read.payload?.dataCrc32c)).toBe(crc32c(data))
    const bad = await rejection(
      client.addSecretVersion({ parent: secret('c'), payload: { data, dataCrc32c: crc32c(data) + 1 } }),
    )
    expect(statusOf(bad)).toBe('INVALID_ARGUMENT')
    expect(fake.state.find('secrets/c')?.versions.size).toBe(1)
  })

  it('refuses a duplicate secret (ALREADY_EXISTS), a missing one (NOT_FOUND) and a foreign project (PERMISSION_DENIED)', async () => {
    await create('dup')
    expect(statusOf(await rejection(create('dup')))).toBe('ALREADY_EXISTS')
    expect(
      statusOf(await rejection(client.accessSecretVersion({ name: `${secret('nope')}/versions/latest` }))),
    ).toBe('NOT_FOUND')
    expect(statusOf(await rejection(client.getSecretVersion({ name: `${secret('dup')}/versions/7` })))).toBe(
      'NOT_FOUND',
    )
    expect(
      statusOf(
        await rejection(client.accessSecretVersion({ name: 'projects/other/secrets/dup/versions/latest' })),
      ),
    ).toBe('PERMISSION_DENIED')
  })

  it('requires replication and a valid secret id (INVALID_ARGUMENT)', async () => {
    const noReplication = await rejection(client.createSecret({ parent: project, secretId: 'r', secret: {} }))
    expect(statusOf(noReplication)).toBe('INVALID_ARGUMENT')
    const badId = await rejection(
      client.createSecret({
        parent: project,
        secretId: 'has space',
        secret: { replication: { automatic: {} } },
      }),
    )
    expect(statusOf(badId)).toBe('INVALID_ARGUMENT')
  })

  it('disables, enables and destroys versions; access to a disabled or destroyed one is FAILED_PRECONDITION', async () => {
    await create('s')
    await add('s', 'old')
    const [v2] = await add('s', 'new')
    const [disabled] = await client.disableSecretVersion({ name: v2.name })
    expect(disabled.state).toBe('DISABLED')
    expect(disabled.etag).not.toBe(v2.etag)
    // latest is the newest version in any state, so it is disabled now.
    const latest = await rejection(client.accessSecretVersion({ name: `${secret('s')}/versions/latest` }))
    expect(statusOf(latest)).toBe('FAILED_PRECONDITION')
    const [enabled] = await client.enableSecretVersion({ name: v2.name })
    expect(enabled.state).toBe('ENABLED')
    const [gone] = await client.destroySecretVersion({ name: v2.name })
    expect(gone.state).toBe('DESTROYED')
    expect(gone.destroyTime).toBeTruthy()
    expect(fake.state.find('secrets/s')?.versions.get(2)?.data).toBeUndefined()
    expect(statusOf(await rejection(client.accessSecretVersion({ name: v2.name })))).toBe(
      'FAILED_PRECONDITION',
    )
    expect(statusOf(await rejection(client.enableSecretVersion({ name: v2.name })))).toBe(
      'FAILED_PRECONDITION',
    )
  })

  it('checks etags: a stale one is FAILED_PRECONDITION, every change makes a new one', async () => {
    const [created] = await create('e')
    const [v1] = await add('e', 'x')
    const [disabled] = await client.disableSecretVersion({ name: v1.name, etag: v1.etag })
    // A no-op change still moves the etag (the etags page: "A no-operation resource update also updates").
    const [again] = await client.disableSecretVersion({ name: v1.name })
    expect(again.etag).not.toBe(disabled.etag)
    const stale = await rejection(client.enableSecretVersion({ name: v1.name, etag: disabled.etag }))
    expect(statusOf(stale)).toBe('FAILED_PRECONDITION')
    // A version change leaves the secret's etag alone.
    const [got] = await client.getSecret({ name: secret('e') })
    expect(got.etag).toBe(created.etag)
    const [updated] = await client.updateSecret({
      secret: { name: secret('e'), labels: { team: 'a' }, etag: created.etag },
      updateMask: { paths: ['labels'] },
    })
    expect(updated.etag).not.toBe(created.etag)
    expect(statusOf(await rejection(client.deleteSecret({ name: secret('e'), etag: created.etag })))).toBe(
      'FAILED_PRECONDITION',
    )
    await client.deleteSecret({ name: secret('e'), etag: updated.etag })
    expect(fake.state.find('secrets/e')).toBeUndefined()
  })

  it('updates only the fields in the mask, and aliases name versions for get and access', async () => {
    await create('u', { keep: 'me' })
    await add('u', 'first')
    await add('u', 'second')
    const [updated] = await client.updateSecret({
      secret: { name: secret('u'), versionAliases: { stable: 1 }, labels: { ignored: 'yes' } },
      updateMask: { paths: ['version_aliases'] },
    })
    expect(updated.labels).toEqual({ keep: 'me' })
    expect(Number(updated.versionAliases?.stable)).toBe(1)
    const [byAlias] = await client.accessSecretVersion({ name: `${secret('u')}/versions/stable` })
    expect(byAlias.payload?.data?.toString()).toBe('first')
    const missing = await rejection(
      client.updateSecret({
        secret: { name: secret('u'), versionAliases: { x: 9 } },
        updateMask: { paths: ['version_aliases'] },
      }),
    )
    expect(statusOf(missing)).toBe('INVALID_ARGUMENT')
    // The protos allow `latest` and aliases on GetSecretVersion and AccessSecretVersion only.
    const [byAliasMeta] = await client.getSecretVersion({ name: `${secret('u')}/versions/stable` })
    expect(byAliasMeta.name).toBe('projects/42/secrets/u/versions/1')
    expect(
      statusOf(await rejection(client.disableSecretVersion({ name: `${secret('u')}/versions/stable` }))),
    ).toBe('NOT_FOUND')
    const noMask = await rejection(client.updateSecret({ secret: { name: secret('u'), labels: {} } }))
    expect(statusOf(noMask)).toBe('INVALID_ARGUMENT')
  })

  it('refuses a payload over 64 KiB (INVALID_ARGUMENT) and accepts exactly 64 KiB', async () => {
    await create('big')
    await client.addSecretVersion({ parent: secret('big'), payload: { data: Buffer.alloc(64 * 1024, 1) } })
    const tooBig = await rejection(
      client.addSecretVersion({ parent: secret('big'), payload: { data: Buffer.alloc(64 * 1024 + 1, 1) } }),
    )
    expect(statusOf(tooBig)).toBe('INVALID_ARGUMENT')
  })

  it('lists secrets newest first with page_size and page_token, and versions newest first', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await create(id)
    const names: string[] = []
    let pageToken: string | undefined
    let pages = 0
    do {
      const [, , response] = await client.listSecrets(
        { parent: project, pageSize: 2, pageToken },
        { autoPaginate: false },
      )
      names.push(...(response?.secrets ?? []).map((s) => s.name!.split('/').pop()!))
      pageToken = response?.nextPageToken || undefined
      pages++
    } while (pageToken)
    expect(pages).toBe(3)
    expect(names).toEqual(['e', 'd', 'c', 'b', 'a'])
    await add('a', '1')
    await add('a', '2')
    const [versions] = await client.listSecretVersions({ parent: secret('a') })
    expect(versions.map((v) => v.name!.split('/').pop())).toEqual(['2', '1'])
    const bad = await rejection(
      client.listSecrets({ parent: project, pageToken: 'forged' }, { autoPaginate: false }),
    )
    expect(statusOf(bad)).toBe('INVALID_ARGUMENT')
  })

  it('filters lists by name, labels, state and create_time', async () => {
    let now = Date.parse('2024-01-01T00:00:00Z')
    await fake.stop()
    fake = await startFake('gcp-secret-manager', { projectId: 'p1', now: () => now })
    await client.close()
    client = smClient(fake, transport)
    await create('app-db', { env: 'prod' })
    now += 86_400_000
    await create('app-cache', { env: 'dev' })
    await create('other')
    const ids = async (filter: string) =>
      (await client.listSecrets({ parent: project, filter }))[0].map((s) => s.name!.split('/').pop()).sort()
    expect(await ids('name:app')).toEqual(['app-cache', 'app-db'])
    expect(await ids('labels.env=prod')).toEqual(['app-db'])
    expect(await ids('labels.env:*')).toEqual(['app-cache', 'app-db'])
    expect(await ids('name:app AND NOT labels.env=prod')).toEqual(['app-cache'])
    expect(await ids('labels.env=prod OR name:other')).toEqual(['app-db', 'other'])
    expect(await ids('create_time<2024-01-01T12:00:00Z')).toEqual(['app-db'])
    await add('app-db', 'v1')
    const [v2] = await add('app-db', 'v2')
    await client.disableSecretVersion({ name: v2.name })
    const [enabled] = await client.listSecretVersions({ parent: secret('app-db'), filter: 'state:ENABLED' })
    expect(enabled.map((v) => v.name!.split('/').pop())).toEqual(['1'])
    expect(statusOf(await rejection(client.listSecrets({ parent: project, filter: 'colour=blue' })))).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('denies one secret with PERMISSION_DENIED when told to', async () => {
    fake.seed({ locked: 'v', open: 'w' })
    fake.state.deny('locked', ['secretmanager.versions.access'])
    const denied = await rejection(
      client.accessSecretVersion({ name: `${secret('locked')}/versions/latest` }),
    )
    expect(statusOf(denied)).toBe('PERMISSION_DENIED')
    const [meta] = await client.getSecret({ name: secret('locked') })
    expect(meta.name).toBe('projects/42/secrets/locked')
    fake.state.allow('locked')
    const [ok] = await client.accessSecretVersion({ name: `${secret('locked')}/versions/latest` })
    expect(ok.payload?.data?.toString()).toBe('v')
  })

  it('seeds versions with states, labels and aliases', async () => {
    fake.seed({
      s: { versions: ['a', { data: 'b', state: 'DISABLED' }, 'c'], labels: { k: 'v' }, aliases: { prev: 2 } },
    })
    const [got] = await client.getSecret({ name: secret('s') })
    expect(got.labels).toEqual({ k: 'v' })
    expect(
      statusOf(await rejection(client.accessSecretVersion({ name: `${secret('s')}/versions/prev` }))),
    ).toBe('FAILED_PRECONDITION')
    expect(fake.state.value('s')).toBe('c')
  })
})
