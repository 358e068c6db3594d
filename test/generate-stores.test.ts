/**
 * `manager.generate(spec)` against real stores: memory (tags), the encrypted file (sidecar record) and
 * AWS Secrets Manager over the wire (tags through the SDK, read back with DescribeSecret). Create-once,
 * a changed template detected, overwrite on purpose, several destinations, dry run, and a typed result
 * per destination.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { secretsManager } from '@polysecret/aws'
import {
  ConfigManager,
  ConflictError,
  encryptedFile,
  type GenerationSpec,
  memory,
  ReadOnlyError,
  Secret,
} from '@polysecret/core'
import { startFake } from '@polysecret/testing'
import bcrypt from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import { FAKE_AWS } from './support/aws.js'
import { stopAfterEach } from './support/cleanup.js'

const defer = stopAfterEach()
const KEY = Buffer.alloc(32, 7).toString('hex')
const text = async (manager: ConfigManager, key: string) => {
  const value = await manager.get(key, { fresh: true })
  return value instanceof Secret ? value.reveal() : value
}

const DB_SPEC: GenerationSpec = {
  name: 'db',
  generators: { password: { type: 'password', length: 24, symbols: false } },
  keys: {
    DB_PASSWORD: '{{ .gen.password }}',
    DB_PASSWORD_HASH: '{{ .gen.password | bcrypt 4 }}',
    DB_URL: 'postgres://app:{{ .gen.password | urlencode }}@db:5432/app',
  },
}

async function awsStore() {
  const fake = await startFake('aws-secrets-manager')
  defer(() => fake.stop())
  const provider = secretsManager({ ...FAKE_AWS, endpoint: fake.endpoint, name: 'aws', maxAttempts: 1 })
  const sdk = new SecretsManagerClient({ ...FAKE_AWS, endpoint: fake.endpoint })
  defer(() => sdk.destroy())
  return { fake, provider, sdk }
}

function fileStore(name = 'file') {
  const path = join(mkdtempSync(join(tmpdir(), 'polysecret-gen-')), 'secrets.enc')
  return encryptedFile({ path, key: KEY, name })
}

describe('manager.generate', () => {
  it('renders one set of values into every key, and records the template as tags (memory)', async () => {
    const store = memory({}, { name: 'mem' })
    const manager = new ConfigManager({ secrets: [store], allowWrites: true })
    const report = await manager.generate(DB_SPEC)
    expect(report.ok).toBe(true)
    expect(report.generators).toEqual(['password'])
    expect(report.results.map((r) => [r.key, r.provider, r.status, r.action, r.metadata])).toEqual([
      ['DB_PASSWORD', 'mem', 'written', 'create', 'tags'],
      ['DB_PASSWORD_HASH', 'mem', 'written', 'create', 'tags'],
      ['DB_URL', 'mem', 'written', 'create', 'tags'],
    ])
    const password = await text(manager, 'DB_PASSWORD')
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/)
    expect(await bcrypt.compare(password, await text(manager, 'DB_PASSWORD_HASH'))).toBe(true)
    expect(await text(manager, 'DB_URL')).toBe(`postgres://app:${password}@db:5432/app`)
    const tags = await store.tags('DB_PASSWORD')
    expect(tags).toMatchObject({
      'polysecret:generators': 'password=password',
      'polysecret:spec': 'db',
    })
    expect(tags?.['polysecret:template-sha256']).toMatch(/^[0-9a-f]{64}$/)
    // A different template gives a different checksum.
    expect((await store.tags('DB_URL'))?.['polysecret:template-sha256']).not.toBe(
      tags?.['polysecret:template-sha256'],
    )
  })

  it('is create-once: a second run keeps every value and says the template is unchanged', async () => {
    const manager = new ConfigManager({ secrets: [memory({}, { name: 'mem' })], allowWrites: true })
    await manager.generate(DB_SPEC)
    const before = await text(manager, 'DB_PASSWORD')
    const again = await manager.generate(DB_SPEC)
    expect(again.results.map((r) => [r.status, r.templateChanged])).toEqual([
      ['skipped-exists', false],
      ['skipped-exists', false],
      ['skipped-exists', false],
    ])
    expect(again.generators).toEqual([])
    expect(again.templateChanged).toEqual([])
    expect(await text(manager, 'DB_PASSWORD')).toBe(before)
  })

  it('detects a changed template (or generator setting) and regenerates only on purpose', async () => {
    const manager = new ConfigManager({ secrets: [memory({}, { name: 'mem' })], allowWrites: true })
    await manager.generate(DB_SPEC)
    const before = await text(manager, 'DB_PASSWORD')
    const longer: GenerationSpec = {
      ...DB_SPEC,
      generators: { password: { type: 'password', length: 30, symbols: false } },
    }
    const detected = await manager.generate(longer)
    expect(detected.templateChanged).toEqual(['DB_PASSWORD', 'DB_PASSWORD_HASH', 'DB_URL'])
    expect(detected.results.every((r) => r.status === 'skipped-exists' && r.templateChanged)).toBe(true)
    expect(await text(manager, 'DB_PASSWORD')).toBe(before)

    const rerun = await manager.generate(longer, { overwrite: true })
    expect(rerun.results.map((r) => [r.status, r.action])).toEqual([
      ['written', 'overwrite'],
      ['written', 'overwrite'],
      ['written', 'overwrite'],
    ])
    const after = await text(manager, 'DB_PASSWORD')
    expect(after).toHaveLength(30)
    expect(await bcrypt.compare(after, await text(manager, 'DB_PASSWORD_HASH'))).toBe(true)
    expect((await manager.generate(longer)).templateChanged).toEqual([])
  })

  it('keeps the record in a sidecar key on a store without tags (encrypted file), from YAML text', async () => {
    const file = fileStore()
    const manager = new ConfigManager({ secrets: [file], allowWrites: true })
    const yaml = [
      'name: api',
      'generators:',
      '  token: { type: string, length: 40, charset: base32 }',
      'keys:',
      '  API_TOKEN: "{{ .gen.token }}"',
    ].join('\n')
    const report = await manager.generate(yaml)
    expect(report.results[0]).toMatchObject({ status: 'written', metadata: 'sidecar', provider: 'file' })
    expect(await text(manager, 'API_TOKEN')).toMatch(/^[A-Z2-7]{40}$/)
    const record = JSON.parse(await text(manager, 'API_TOKEN__polysecret_meta'))
    expect(record).toMatchObject({ 'polysecret:spec': 'api', 'polysecret:generators': 'token=string' })
    const changed = await manager.generate(yaml.replace('length: 40', 'length: 41'))
    expect(changed.results[0]).toMatchObject({ status: 'skipped-exists', templateChanged: true })
  })

  it('writes tags through the AWS SDK on create and on overwrite (TagResource), read back by DescribeSecret', async () => {
    const { provider, sdk } = await awsStore()
    const manager = new ConfigManager({ secrets: [provider], allowWrites: true, retry: 0 })
    const spec: GenerationSpec = {
      name: 'signing',
      generators: { hmac: { type: 'hmac-key', hash: 'sha512', encoding: 'hex' } },
      keys: { 'app/hmac': '{{ .gen.hmac }}' },
    }
    expect((await manager.generate(spec)).results[0]).toMatchObject({ status: 'written', metadata: 'tags' })
    const described = await sdk.send(new DescribeSecretCommand({ SecretId: 'app/hmac' }))
    const tags = Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]))
    expect(tags['polysecret:spec']).toBe('signing')
    expect(tags['polysecret:generators']).toBe('hmac=hmac-key')
    expect(await text(manager, 'app/hmac')).toMatch(/^[0-9a-f]{256}$/) // one sha512 block: 128 bytes

    const changed = { ...spec, generators: { hmac: { type: 'hmac-key', hash: 'sha256' } } } as GenerationSpec
    expect((await manager.generate(changed)).results[0]).toMatchObject({ templateChanged: true })
    await manager.generate(changed, { overwrite: true })
    const after = await sdk.send(new DescribeSecretCommand({ SecretId: 'app/hmac' }))
    const afterTags = Object.fromEntries((after.Tags ?? []).map((t) => [t.Key, t.Value]))
    expect(afterTags['polysecret:template-sha256']).not.toBe(tags['polysecret:template-sha256'])
    expect(Buffer.from(await text(manager, 'app/hmac'), 'base64')).toHaveLength(64)
    expect((await manager.generate(changed)).results[0]).toMatchObject({ templateChanged: false })
  })

  it('writes the same values to several destinations, with a result for each', async () => {
    const { provider } = await awsStore()
    const mem = memory({}, { name: 'mem' })
    const file = fileStore()
    const manager = new ConfigManager({ secrets: [mem, file, provider], allowWrites: true, retry: 0 })
    const report = await manager.generate({ ...DB_SPEC, to: ['mem', 'file', 'aws'] })
    expect(report.results).toHaveLength(9)
    expect(report.results.every((r) => r.status === 'written')).toBe(true)
    const at = (p: string) => text(manager, `${p}://DB_PASSWORD`)
    const password = await at('mem')
    expect(await at('file')).toBe(password)
    expect(await at('aws')).toBe(password)
    expect(report.results.filter((r) => r.key === 'DB_PASSWORD').map((r) => r.metadata)).toEqual([
      'tags',
      'sidecar',
      'tags',
    ])
  })

  it('fills a destination that lacks a key with the value another destination holds, never a new one', async () => {
    const mem = memory({}, { name: 'mem' })
    const file = fileStore()
    const manager = new ConfigManager({ secrets: [mem, file], allowWrites: true })
    await manager.generate({ ...DB_SPEC, to: ['mem'] })
    const password = await text(manager, 'mem://DB_PASSWORD')
    const report = await manager.generate({ ...DB_SPEC, to: ['mem', 'file'] })
    const copied = report.results.filter((r) => r.provider === 'file')
    expect(copied.map((r) => [r.status, r.action, r.copiedFrom])).toEqual([
      ['written', 'copy', 'mem'],
      ['written', 'copy', 'mem'],
      ['written', 'copy', 'mem'],
    ])
    expect(report.generators).toEqual([])
    expect(await text(manager, 'file://DB_PASSWORD')).toBe(password)
    expect(await bcrypt.compare(password, await text(manager, 'file://DB_PASSWORD_HASH'))).toBe(true)
    // The copy carries the source's record, so the file store also knows the template.
    expect((await manager.generate({ ...DB_SPEC, to: ['file'] })).results[0]).toMatchObject({
      status: 'skipped-exists',
      templateChanged: false,
    })
  })

  it('refuses to generate one key of a set alone, when a key from the same generator exists', async () => {
    const mem = memory({}, { name: 'mem' })
    const manager = new ConfigManager({ secrets: [mem], allowWrites: true })
    await manager.generate(DB_SPEC)
    await manager.delete('DB_PASSWORD_HASH')
    const report = await manager.generate(DB_SPEC)
    const hash = report.results.find((r) => r.key === 'DB_PASSWORD_HASH')!
    expect(hash.status).toBe('failed')
    expect(hash.error).toBeInstanceOf(ConflictError)
    expect(hash.error?.message).toContain('"DB_PASSWORD"')
    expect(report.ok).toBe(false)
    expect(await manager.get('DB_PASSWORD_HASH', { optional: true })).toBeUndefined()
  })

  it('dry run: says what it would write, values masked, and writes nothing', async () => {
    const { provider, fake } = await awsStore()
    const manager = new ConfigManager({ secrets: [provider], allowWrites: true, retry: 0 })
    const spec: GenerationSpec = {
      generators: { password: { type: 'password', length: 20 }, id: { type: 'uuid' } },
      keys: {
        ADMIN_PASSWORD: '{{ .gen.password }}',
        INSTANCE_ID: { template: '{{ .gen.id }}', kind: 'parameter' },
      },
      to: 'aws',
    }
    const report = await manager.generate(spec, { dryRun: true })
    expect(report.dryRun).toBe(true)
    expect(report.results.map((r) => [r.key, r.status, r.masked])).toEqual([
      ['ADMIN_PASSWORD', 'would-write', '[REDACTED, 20 chars]'],
      ['INSTANCE_ID', 'would-write', '[REDACTED, 36 chars]'],
    ])
    const writes = ['CreateSecret', 'PutSecretValue', 'TagResource'].map((op) => fake.requests.count(op))
    expect(writes).toEqual([0, 0, 0])
    expect(fake.requests.count('GetSecretValue')).toBe(2) // it did look
    expect(await manager.get('ADMIN_PASSWORD', { optional: true })).toBeUndefined()
  })

  it('reports a typed failure per destination and writes the others', async () => {
    // Only `mem` opts in to writes; the manager's writes are off for the other store.
    const manager = new ConfigManager({
      secrets: [memory({}, { name: 'mem', writable: true }), memory({}, { name: 'frozen' })],
    })
    const report = await manager.generate({ ...DB_SPEC, to: ['mem', 'frozen'] })
    expect(report.results.map((r) => [r.provider, r.status])).toEqual([
      ['mem', 'written'],
      ['frozen', 'failed'],
      ['mem', 'written'],
      ['frozen', 'failed'],
      ['mem', 'written'],
      ['frozen', 'failed'],
    ])
    expect(report.results[1]?.error).toBeInstanceOf(ReadOnlyError)
    expect(report.results[1]?.error).toMatchObject({ key: 'DB_PASSWORD', provider: 'frozen' })
  })

  it('reports a store outage as a typed failure of that destination', async () => {
    const { provider, fake } = await awsStore()
    const manager = new ConfigManager({
      secrets: [memory({}, { name: 'mem' }), provider],
      allowWrites: true,
      retry: 0,
    })
    fake.faults.errorRate(1, { status: 400, type: 'AccessDeniedException', message: 'denied' })
    const report = await manager.generate({ ...DB_SPEC, to: ['mem', 'aws'] })
    const aws = report.results.filter((r) => r.provider === 'aws')
    expect(aws.map((r) => [r.status, r.error?.code])).toEqual([
      ['failed', 'ACCESS_DENIED'],
      ['failed', 'ACCESS_DENIED'],
      ['failed', 'ACCESS_DENIED'],
    ])
    expect(report.results.filter((r) => r.provider === 'mem').every((r) => r.status === 'written')).toBe(true)
  })
})
