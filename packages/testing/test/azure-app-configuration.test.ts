import {
  AppConfigurationClient,
  type ConfigurationSetting,
  parseFeatureFlag,
  parseSecretReference,
} from '@azure/app-configuration'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type AppConfigFake,
  FEATURE_FLAG_CONTENT_TYPE,
  KEY_VAULT_REF_CONTENT_TYPE,
  type KeyVaultFake,
  startFake,
} from '../src/index.js'
import { acClient, collect, kvClient, restError } from './azure-helpers.js'
import { rejection } from './helpers.js'

/**
 * App Configuration behaviour checked against the data-plane REST reference, through the official
 * `@azure/app-configuration` client over TLS, signed with the connection string's HMAC key and with a
 * bearer token.
 */
describe.each(['hmac', 'aad'] as const)('App Configuration fake (%s)', (auth) => {
  let fake: AppConfigFake
  let client: AppConfigurationClient
  const keys = (settings: ConfigurationSetting[]) => settings.map((s) => `${s.key}@${s.label ?? '∅'}`)

  beforeEach(async () => {
    fake = await startFake('azure-app-configuration', { pageSize: 3 })
    client = acClient(fake, auth)
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('Accept-Datetime reads key-values and revisions as they were at that time', async () => {
    let clock = Math.floor(Date.now() / 1000) * 1000 - 60_000
    const timed = await startFake('azure-app-configuration', { now: () => clock })
    const c = acClient(timed, auth)
    try {
      await c.setConfigurationSetting({ key: 'mode', value: 'one' })
      await c.setConfigurationSetting({ key: 'gone', value: 'here' })
      const then = new Date(clock)
      clock += 10_000
      await c.setConfigurationSetting({ key: 'mode', value: 'two' })
      await c.deleteConfigurationSetting({ key: 'gone' })
      await c.setConfigurationSetting({ key: 'later', value: 'new' })

      expect((await c.getConfigurationSetting({ key: 'mode' }, { acceptDateTime: then })).value).toBe('one')
      expect((await c.getConfigurationSetting({ key: 'gone' }, { acceptDateTime: then })).value).toBe('here')
      const listed = await collect(c.listConfigurationSettings({ acceptDateTime: then }))
      expect(listed.map((s) => `${s.key}=${s.value}`)).toEqual(['gone=here', 'mode=one'])
      const revisions = await collect(c.listRevisions({ keyFilter: 'mode', acceptDateTime: then }))
      expect(revisions.map((s) => s.value)).toEqual(['one'])
      // Now: the later state.
      expect((await c.getConfigurationSetting({ key: 'mode' })).value).toBe('two')
      expect(restError(await rejection(c.getConfigurationSetting({ key: 'gone' }))).status).toBe(404)
    } finally {
      await timed.stop()
    }
  })

  it('stores key-values by key and label; the null label is the default', async () => {
    await client.setConfigurationSetting({ key: 'app:db:host', value: 'db.local' })
    await client.setConfigurationSetting({ key: 'app:db:host', label: 'prod', value: 'db.prod' })
    expect((await client.getConfigurationSetting({ key: 'app:db:host' })).value).toBe('db.local')
    const prod = await client.getConfigurationSetting({ key: 'app:db:host', label: 'prod' })
    expect(prod.value).toBe('db.prod')
    expect(prod.label).toBe('prod')
    expect(fake.state.get('app:db:host', null)?.value).toBe('db.local')
    expect(
      restError(await rejection(client.getConfigurationSetting({ key: 'app:db:host', label: 'dev' }))).status,
    ).toBe(404)
    expect(fake.requests.count('GetKeyValue')).toBe(3)
  })

  it('filters lists by key prefix, label (\\0 is the null label) and comma lists, paging by Link/after', async () => {
    fake.seed([
      { key: 'app:a', value: '1' },
      { key: 'app:b', value: '2' },
      { key: 'app:b', label: 'prod', value: '2p' },
      { key: 'app:c', label: 'prod', value: '3p' },
      { key: 'app:d', value: '4' },
      { key: 'other', value: 'x' },
    ])
    const all = await collect(client.listConfigurationSettings({ keyFilter: 'app:*' }))
    expect(keys(all)).toEqual(['app:a@∅', 'app:b@∅', 'app:b@prod', 'app:c@prod', 'app:d@∅'])
    // Page size 3: two pages, the second fetched through the continuation the first named.
    expect(fake.requests.count('ListKeyValues')).toBe(2)
    expect(
      keys(await collect(client.listConfigurationSettings({ keyFilter: 'app:*', labelFilter: '\0' }))),
    ).toEqual(['app:a@∅', 'app:b@∅', 'app:d@∅'])
    expect(keys(await collect(client.listConfigurationSettings({ labelFilter: 'prod' })))).toEqual([
      'app:b@prod',
      'app:c@prod',
    ])
    expect(keys(await collect(client.listConfigurationSettings({ keyFilter: 'app:a,other' })))).toEqual([
      'app:a@∅',
      'other@∅',
    ])
    const pages = await collect(client.listConfigurationSettings().byPage())
    expect(pages.map((p) => p.items.length)).toEqual([3, 3])
    const bad = await rejection(collect(client.listConfigurationSettings({ keyFilter: '*app' })))
    expect(restError(bad).status).toBe(400)
  })

  it('honours If-Match (412 on a stale etag) and If-None-Match (304 when unchanged)', async () => {
    const first = await client.setConfigurationSetting({ key: 'k', value: 'v1' })
    const second = await client.setConfigurationSetting({ key: 'k', value: 'v2' })
    expect(second.etag).not.toBe(first.etag)
    const stale = await rejection(
      client.setConfigurationSetting({ ...first, value: 'v3' }, { onlyIfUnchanged: true }),
    )
    expect(restError(stale).status).toBe(412)
    expect(fake.state.get('k')?.value).toBe('v2')
    await client.setConfigurationSetting({ ...second, value: 'v3' }, { onlyIfUnchanged: true })
    const current = await client.getConfigurationSetting({ key: 'k' })
    const unchanged = await client.getConfigurationSetting(current, { onlyIfChanged: true })
    expect(unchanged.statusCode).toBe(304)
    expect(unchanged.value).toBeUndefined()
    const added = await rejection(client.addConfigurationSetting({ key: 'k', value: 'dup' }))
    expect(restError(added).status).toBe(412)
    expect(
      restError(await rejection(client.deleteConfigurationSetting(first, { onlyIfUnchanged: true }))).status,
    ).toBe(412)
    const deleted = await client.deleteConfigurationSetting({ key: 'k' })
    expect(deleted.statusCode).toBe(200)
    expect((await client.deleteConfigurationSetting({ key: 'k' })).statusCode).toBe(204)
  })

  it('answers 304 for a page whose etag is unchanged, and 200 once an item on it changes', async () => {
    fake.seed([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ])
    const [page] = await collect(client.listConfigurationSettings().byPage())
    const etag = page!.etag!
    const [same] = await collect(client.listConfigurationSettings({ pageEtags: [etag] }).byPage())
    expect(Number(same!._response.status)).toBe(304)
    expect(same!.items).toEqual([])
    await client.setConfigurationSetting({ key: 'b', value: '3' })
    const [changed] = await collect(client.listConfigurationSettings({ pageEtags: [etag] }).byPage())
    expect(Number(changed!._response.status)).toBe(200)
    expect(changed!.items.map((s) => s.value)).toEqual(['1', '3'])
  })

  it('locks a key read-only: writes and deletes answer 409 until unlocked', async () => {
    await client.setConfigurationSetting({ key: 'locked', value: 'v' })
    const lockedSetting = await client.setReadOnly({ key: 'locked' }, true)
    expect(lockedSetting.isReadOnly).toBe(true)
    expect(
      restError(await rejection(client.setConfigurationSetting({ key: 'locked', value: 'w' }))).status,
    ).toBe(409)
    expect(restError(await rejection(client.deleteConfigurationSetting({ key: 'locked' }))).status).toBe(409)
    await client.setReadOnly({ key: 'locked' }, false)
    await client.setConfigurationSetting({ key: 'locked', value: 'w' })
    expect(fake.state.get('locked')?.value).toBe('w')
    expect(restError(await rejection(client.setReadOnly({ key: 'missing' }, true))).status).toBe(404)
  })

  it('sends a Sync-Token with every answer, its sequence number rising with each write; the client sends it back', async () => {
    const seen: string[] = []
    const recording = acClient(fake, auth, {
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'record-sync-token',
            async sendRequest(request, next) {
              const response = await next(request)
              seen.push(response.headers.get('sync-token') ?? '')
              return response
            },
          },
        },
      ],
    })
    await recording.setConfigurationSetting({ key: 'x', value: '1' })
    await recording.setConfigurationSetting({ key: 'x', value: '2' })
    await recording.getConfigurationSetting({ key: 'x' })
    const sn = seen.map((t) => Number(/^[^=]+=[^;]+;sn=(\d+)$/.exec(t)?.[1]))
    expect(sn[1]).toBe(sn[0]! + 1)
    expect(sn[2]).toBe(sn[1])
    const sent = fake.requests.last('GetKeyValue')!.input as { headers: Record<string, string> }
    expect(sent.headers['sync-token']).toBe(seen[1]!.replace(/;sn=\d+$/, ''))
  })

  it('keeps every change as a revision, newest first', async () => {
    await client.setConfigurationSetting({ key: 'r', value: '1' })
    await client.setConfigurationSetting({ key: 'r', value: '2' })
    await client.setConfigurationSetting({ key: 'r', label: 'prod', value: 'p' })
    await client.setConfigurationSetting({ key: 'other', value: 'o' })
    const revisions = await collect(client.listRevisions({ keyFilter: 'r' }))
    expect(revisions.map((r) => `${r.value}@${r.label ?? '∅'}`)).toEqual(['p@prod', '2@∅', '1@∅'])
  })

  it('creates snapshots from filters and serves their key-values, unchanged by later writes', async () => {
    fake.seed([
      { key: 'app:a', value: '1' },
      { key: 'app:a', label: 'prod', value: '1p' },
      { key: 'app:b', value: '2' },
    ])
    const snapshot = await client.beginCreateSnapshotAndWait({
      name: 'release-1',
      filters: [
        { keyFilter: 'app:*', labelFilter: '\0' },
        { keyFilter: 'app:*', labelFilter: 'prod' },
      ],
    })
    expect(snapshot.status).toBe('ready')
    expect(snapshot.itemCount).toBe(2)
    await client.setConfigurationSetting({ key: 'app:b', value: 'changed' })
    const items = await collect(client.listConfigurationSettingsForSnapshot('release-1'))
    // Composition "key": one item per key, the later filter (prod) winning for app:a.
    expect(items.map((s) => `${s.key}=${s.value}`)).toEqual(['app:a=1p', 'app:b=2'])
    expect((await client.getSnapshot('release-1')).name).toBe('release-1')
    expect((await collect(client.listSnapshots())).map((s) => s.name)).toEqual(['release-1'])
    const archived = await client.archiveSnapshot('release-1')
    expect(archived.status).toBe('archived')
    expect(restError(await rejection(client.getSnapshot('nope'))).status).toBe(404)
  })
})

describe('App Configuration fake: authentication and special content types', () => {
  let fake: AppConfigFake
  let clock: number

  beforeEach(async () => {
    clock = Date.now()
    fake = await startFake('azure-app-configuration', { now: () => clock })
  })
  afterEach(async () => {
    await fake.stop()
  })

  it('refuses a wrong HMAC secret, a skewed date, and an expired token with 401', async () => {
    const wrong = fake.connectionString.replace(
      /Secret=.*$/,
      `Secret=${Buffer.from('not the key').toString('base64')}`,
    )
    const opts = { ...fake.clientOptions, retryOptions: { maxRetries: 0 } }
    expect(
      restError(
        await rejection(new AppConfigurationClient(wrong, opts).getConfigurationSetting({ key: 'k' })),
      ).status,
    ).toBe(401)
    clock += 20 * 60_000 // the signed x-ms-date is now 20 minutes behind the store
    expect(restError(await rejection(acClient(fake).getConfigurationSetting({ key: 'k' }))).status).toBe(401)
    clock -= 20 * 60_000
    expect(restError(await rejection(acClient(fake).getConfigurationSetting({ key: 'k' }))).status).toBe(404)
    const stale = await fake.credential.getToken('https://azconfig.io/.default')
    clock += 2 * 3600_000
    const holdsStale = { getToken: async () => ({ ...stale!, expiresOnTimestamp: Date.now() + 86_400_000 }) }
    const viaStale = new AppConfigurationClient(fake.endpoint, holdsStale, opts)
    expect(restError(await rejection(viaStale.getConfigurationSetting({ key: 'k' }))).status).toBe(401)
    expect(fake.requests.count('GetKeyValue')).toBe(4)
  })

  it('stores Key Vault references that point at a Key Vault fake, and feature flags', async () => {
    let kv: KeyVaultFake | undefined
    try {
      kv = await startFake('azure-key-vault', { secrets: { 'db-password': 's3cret' } })
      fake.seed([
        { key: 'app:db:password', keyVaultRef: { vault: kv, name: 'db-password' } },
        { key: 'beta', featureFlag: { enabled: true, description: 'new UI' } },
      ])
      const client = acClient(fake)
      const ref = await client.getConfigurationSetting({ key: 'app:db:password' })
      expect(ref.contentType).toBe(KEY_VAULT_REF_CONTENT_TYPE)
      const uri = parseSecretReference(ref).value.secretId
      expect(uri).toBe(`${kv.vaultUrl}/secrets/db-password`)
      // The reference resolves against the Key Vault fake through its official client.
      const name = new URL(uri).pathname.split('/')[2]!
      expect((await kvClient(kv).getSecret(name)).value).toBe('s3cret')
      const flag = await client.getConfigurationSetting({ key: '.appconfig.featureflag/beta' })
      expect(flag.contentType).toBe(FEATURE_FLAG_CONTENT_TYPE)
      expect(parseFeatureFlag(flag).value).toMatchObject({ id: 'beta', enabled: true, description: 'new UI' })
      // The official client writes a reference the same way.
      await client.addConfigurationSetting({
        key: 'written',
        contentType: KEY_VAULT_REF_CONTENT_TYPE,
        value: fake.keyVaultReference(kv.vaultUrl, 'other'),
      })
      expect(JSON.parse(fake.state.get('written')!.value!)).toEqual({ uri: `${kv.vaultUrl}/secrets/other` })
    } finally {
      await kv?.stop()
    }
  })
})
