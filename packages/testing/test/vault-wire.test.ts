import { connect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFake, type VaultFake } from '../src/index.js'
import { raw, vaultClient, vaultFailure } from './vault-helpers.js'

let fake: VaultFake
let clock: number
beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1)
  fake = await startFake('vault', {
    now: () => clock,
    mounts: { 'kv/': { version: 2, maxVersions: 3, casRequired: true }, 'team/secret/': { version: 2 } },
  })
})
afterEach(() => fake.stop())

/** Writes `payload` on one socket in one go and returns everything the fake answers until it closes. */
function exchange(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(fake.port, fake.host, () => socket.write(payload))
    let out = ''
    socket.on('data', (c) => {
      out += c.toString('latin1')
    })
    socket.on('end', () => resolve(out))
    socket.on('error', reject)
  })
}

describe('Vault fake: wire details', () => {
  it('parses pipelined requests: a LIST, a POST with a body, a GET on one connection', async () => {
    fake.put('kv/a', { p: '1' })
    // JSON allows CRLFs between tokens: the body holds a blank line, which only Content-Length frames.
    const body = `{"data":\r\n\r\n{"note":"LIST /v1/kv/metadata/ HTTP/1.1"},"options":{"cas":0}}`
    const token = `X-Vault-Token: ${fake.rootToken}\r\n`
    const answer = await exchange(
      `LIST /v1/kv/metadata/ HTTP/1.1\r\nHost: x\r\n${token}\r\n` +
        `POST /v1/kv/data/b HTTP/1.1\r\nHost: x\r\n${token}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        `GET /v1/kv/data/b HTTP/1.1\r\nHost: x\r\n${token}Connection: close\r\n\r\n`,
    )
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200'])
    expect(fake.requests.all().map((r) => r.operation)).toEqual(['kv2.list', 'kv2.write', 'kv2.read'])
    expect((await vaultClient(fake).read('kv/data/b')).data.data.note).toContain('LIST /v1/kv/metadata/')
  })

  it('applies a mount’s max_versions and cas_required, and reads and writes its config', async () => {
    const vault = vaultClient(fake)
    expect(await vaultFailure(vault.write('kv/data/x', { data: { i: 0 } }))).toMatchObject({
      status: 400,
      errors: ['check-and-set parameter required for this call'],
    })
    for (let i = 0; i < 5; i++) await vault.write('kv/data/x', { data: { i }, options: { cas: i } })
    expect(Object.keys((await vault.read('kv/metadata/x')).data.versions)).toEqual(['3', '4', '5'])
    expect((await vault.read('kv/config')).data).toEqual({
      cas_required: true,
      delete_version_after: '0s',
      max_versions: 3,
    })
    expect((await raw(fake, 'POST', 'kv/config', { body: { cas_required: false } })).status).toBe(204)
    await vault.write('kv/data/x', { data: { i: 6 } })
  })

  it('routes nested mount paths to the longest mount', async () => {
    const vault = vaultClient(fake)
    await vault.write('team/secret/data/db', { data: { p: '1' } })
    expect((await vault.read('team/secret/data/db')).data.metadata.version).toBe(1)
  })

  it('deletes new versions after delete_version_after on the fake clock, and keeps custom_metadata', async () => {
    const vault = vaultClient(fake)
    await vault.write('team/secret/metadata/tmp', {
      delete_version_after: '1m',
      custom_metadata: { owner: 'ops' },
    })
    const written = await vault.write('team/secret/data/tmp', { data: { p: '1' } })
    expect(written.data).toMatchObject({
      custom_metadata: { owner: 'ops' },
      deletion_time: new Date(clock + 60_000).toISOString(),
    })
    expect((await vault.read('team/secret/data/tmp')).data.data).toEqual({ p: '1' })
    clock += 60_000
    const gone = await raw(fake, 'GET', 'team/secret/data/tmp')
    expect(gone.status).toBe(404)
    expect(gone.body.data).toMatchObject({ data: null, metadata: { version: 1 } })
    expect((await vault.read('team/secret/metadata/tmp')).data.delete_version_after).toBe('1m0s')
  })

  it('creates child tokens over the API, limited to the parent’s policies', async () => {
    fake.definePolicy('p', [{ path: 'team/secret/data/*', capabilities: ['read'] }])
    const vault = vaultClient(fake)
    const created = await vault.tokenCreate({ policies: ['p'], ttl: '10m', renewable: false })
    expect(created.auth).toMatchObject({ policies: ['default', 'p'], lease_duration: 600, renewable: false })
    const child = vaultClient(fake, created.auth.client_token)
    expect(await vaultFailure(child.read('kv/data/x'))).toMatchObject({ status: 403 })
  })
})
